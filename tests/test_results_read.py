"""Reading a result: value and unit, the usual range, a plain label, the care team's comment
first, a note to discuss it with them, and a chart of the same measure over time."""

from __future__ import annotations

import html as html_module
import re

import pytest
from django.urls import reverse
from django.utils import translation

from carnet.records import views_results

from .timeline import make_record


@pytest.fixture
def karim():
    return make_record()


def _fr(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


def _page(client, user, item_id) -> str:
    client.force_login(user)
    response = client.get(reverse("records:item", args=[item_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_value_range_and_plain_label(client, karim):
    user, _pid, ids = karim
    html = _page(client, user, ids["a3"])
    assert "Hémoglobine glyquée (HbA1c)" in html
    assert "5,6 %" in html
    assert "4 – 6 %" in html
    assert _fr("within the usual range").capitalize() in html
    html = _page(client, user, ids["g1"])
    assert _fr("below the usual range").capitalize() in html
    html = _page(client, user, ids["a1"])
    assert _fr("above the usual range").capitalize() in html


def test_it_asks_to_discuss_the_result_with_the_care_team(client, karim):
    user, _pid, ids = karim
    html = html_module.unescape(_page(client, user, ids["a1"]))
    assert (
        _fr(
            "A result is read together with your health, your treatments and your other "
            "results: talk about it with your doctor or your care team before drawing "
            "conclusions or changing anything."
        )
        in html
    )


def test_the_care_team_comment_comes_first(client, karim):
    user, _pid, ids = karim
    html = _page(client, user, ids["a3"])
    comment = html.index("Bien équilibré, on continue ainsi.")
    assert comment < html.index("5,6 %")
    assert comment < html.index("4 – 6 %")


def test_it_draws_the_measure_over_time_with_a_table_alternative(client, karim):
    user, _pid, ids = karim
    html = _page(client, user, ids["a3"])
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S)
    assert svg, "an inline SVG chart"
    assert 'aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">' in svg.group(1) and '<desc id="chart-desc">' in svg.group(1)
    assert svg.group(1).count("<circle") == 3  # the three HbA1c values
    assert "chart-current" in svg.group(1)
    table = html[html.index("<table") : html.index("</table>")]
    for value in ("8,1 %", "7,4 %", "5,6 %"):
        assert value in table
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main  # the chart is drawn without JavaScript


def test_a_single_value_has_no_chart(client, karim):
    user, _pid, ids = karim
    html = _page(client, user, ids["g1"])
    assert "<svg" not in html


def test_interpretation_codes_give_the_label_when_there_is_no_range():
    obs = {
        "resourceType": "Observation",
        "valueQuantity": {"value": 3},
        "interpretation": [{"coding": [{"code": "H"}]}],
    }
    assert views_results.position(obs) == views_results.ABOVE
    obs["interpretation"] = [{"coding": [{"code": "N"}]}]
    assert views_results.position(obs) == views_results.IN_RANGE
    assert views_results.position({"resourceType": "Observation"}) == views_results.UNKNOWN


def test_a_practitioner_note_is_a_comment_and_my_note_is_mine():
    obs = {
        "resourceType": "Observation",
        "note": [
            {
                "text": "À recontrôler dans 3 mois",
                "authorReference": {"reference": "Practitioner/x"},
            },
            {"text": "J'étais à jeun", "authorReference": {"reference": "Patient/me"}},
        ],
    }
    pro, mine = views_results.comments(obs, "import")
    assert [c["text"] for c in pro] == ["À recontrôler dans 3 mois"]
    assert [c["text"] for c in mine] == ["J'étais à jeun"]
    # Without an author: the care team's when the item came from them, mine when I wrote it.
    obs = {"resourceType": "Observation", "note": [{"text": "sans auteur"}]}
    assert views_results.comments(obs, "practitioner")[0][0]["text"] == "sans auteur"
    assert views_results.comments(obs, "self")[1][0]["text"] == "sans auteur"
