"""See a measure over time: the chart of an item page is drawn right in French (the default
language) as in English.

SVG coordinates are for the browser: written with a dot whatever the language (a « cy="51,6" »
puts every dot in the corner). The numbers a person reads (the axis, the table, the value)
are in the page's language: « 80,3 kg » in French, « 80.3 kg » in English.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from carnet.records import views_results
from tests import plain_words
from tests.helpers import citizen, import_file, synthea

CIRCLE = re.compile(r"<circle\b[^>]*>")


def _weights(path):
    return sorted(
        (
            r
            for r in plain_words.resources_of(path)
            if r["resourceType"] == "Observation" and "29463-7" in str(r["code"])
        ),
        key=lambda r: r["effectiveDateTime"],
    )


def _weight_page(client) -> str:
    timeline = client.get("/dossier/chronologie/").content.decode()
    for row in re.findall(r'<li class="tl-row">.*?</li>', timeline, re.S):
        if "Poids" in row or "Weight" in row:
            return plain_words.ITEM_LINK.search(row).group(1)
    raise AssertionError("no weight in the timeline")


def test_the_chart_parses_in_french_and_english_with_the_same_coordinates(client):
    path = synthea("Gustavo")
    weights = _weights(path)
    assert len(weights) >= 2
    user = citizen()
    import_file(user, path)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    url = _weight_page(client)
    svgs, circles = {}, {}
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(url).content.decode()
        assert plain_words.svg_numbers(page) == 1
        svg = plain_words.SVG.search(page).group(0)
        svgs[language] = svg
        circles[language] = CIRCLE.findall(svg)
        # One dot per weight, the one of this page larger, inside the drawing.
        assert len(circles[language]) == len(weights)
        current = [c for c in circles[language] if "chart-current" in c]
        assert len(current) == 1
        cx = float(re.search(r'cx="([^"]+)"', current[0]).group(1))
        cy = float(re.search(r'cy="([^"]+)"', current[0]).group(1))
        assert views_results.PAD_L <= cx <= views_results.W - views_results.PAD_R
        assert views_results.PAD_T <= cy <= views_results.H - views_results.PAD_B
        # Human numbers follow the language: the table of values and the axis.
        latest = weights[-1]["valueQuantity"]["value"]
        shown = f"{round(latest, 2):g}"
        text = plain_words.visible_text(page)
        if language == "fr":
            assert f"{shown.replace('.', ',')} kg" in text
            ticks = re.findall(r'class="chart-tick"[^>]*>([^<]+)<', svg)
            assert any("," in t for t in ticks) or all(t.strip().isdigit() for t in ticks[:3])
        else:
            assert f"{shown} kg" in text
    assert circles["fr"] == circles["en"]


@hsettings(derandomize=True, max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=2,
        max_size=12,
    ),
    low=st.none() | st.floats(min_value=-1e3, max_value=1e3),
)
def test_any_series_is_drawn_with_numbers(values, low):
    start = timezone.make_aware(dt.datetime(2020, 1, 1))
    points = [
        views_results.Point(start + dt.timedelta(days=i * 30), v, str(v), "")
        for i, v in enumerate(values)
    ]
    rng = {"low": low, "high": None, "text": ""} if low is not None else None
    with translation.override("fr"):
        c = views_results.chart(points, rng)
    coordinates = [d["x"] for d in c["dots"]] + [d["y"] for d in c["dots"]]
    coordinates += [t["y"] for t in c["ticks"]]
    if c["band"]:
        coordinates += list(c["band"].values())
    for value in coordinates:
        assert "," not in str(value)
        float(value)
    for pair in c["line"].split():
        x, y = pair.split(",")
        float(x), float(y)


def test_every_svg_template_writes_its_numbers_unlocalized():
    """A template that draws SVG turns localization off around it (the coordinates it gets
    are already strings from ``words.coordinate``; this keeps a future float safe too)."""
    root = Path(views_results.__file__).resolve().parents[1]
    drawn = []
    for template in root.rglob("templates/**/*.html"):
        body = template.read_text(encoding="utf-8")
        for svg in re.finditer(r"<svg\b", body):
            before = body[: svg.start()]
            assert before.rfind("{% localize off %}") > before.rfind("{% endlocalize %}"), template
            drawn.append(template.name)
    assert "result_chart.html" in drawn
