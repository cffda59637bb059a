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


# Attributes whose value a machine reads as a number (a form field's value, a progress bar's
# max, a drawing's coordinates, a script's data-*): written without locale formatting.
MACHINE_ATTRIBUTE = re.compile(
    r"""\b(value|max|min|low|high|optimum|step|width|height|x|y|x1|x2|y1|y2|cx|cy|r|"""
    r"""data-[a-z-]+|style)="([^"]*\{\{[^"]*)\""""
)
EXPRESSION = re.compile(r"\{\{(.*?)\}\}")
# Filters that already write for machines: a date or time in an explicit format.
MACHINE_FILTERS = ("|unlocalize", "|date:", "|time:")


def _unlocalized_spans(body: str) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for m in re.finditer(r"\{% localize off %\}.*?\{% endlocalize %\}", body, re.S)
    ]


def machine_numbers_localized(body: str) -> list[str]:
    """The number-bearing attributes of a template that locale formatting could change."""
    spans = _unlocalized_spans(body)
    wrong = []
    for m in MACHINE_ATTRIBUTE.finditer(body):
        if any(a <= m.start() < b for a, b in spans):
            continue
        for expr in EXPRESSION.findall(m.group(2)):
            if not any(f in expr.replace(" ", "") for f in MACHINE_FILTERS):
                wrong.append(m.group(0))
    return wrong


def test_every_machine_number_in_a_template_is_unlocalized():
    """Records' and the site's templates: every number-bearing attribute with a variable is
    under ``{% localize off %}`` or goes through ``|unlocalize`` (a « 1 234 » or « 51,6 » in
    a progress bar, a hidden page number or a coordinate is read wrong by the browser)."""
    src = Path(views_results.__file__).resolve().parents[1]
    checked, wrong = 0, {}
    for folder in ("records", "web"):
        for template in (src / folder / "templates").rglob("*.html"):
            body = template.read_text(encoding="utf-8")
            checked += len(MACHINE_ATTRIBUTE.findall(body))
            found = machine_numbers_localized(body)
            if found:
                wrong[template.name] = found
    assert checked >= 30 and not wrong, wrong
    # The check itself sees a localized number and accepts the two ways out.
    assert machine_numbers_localized('<progress max="{{ n }}">')
    assert not machine_numbers_localized('<progress max="{{ n|unlocalize }}">')
    assert not machine_numbers_localized('{% localize off %}<circle cx="{{ x }}">{% endlocalize %}')


def test_the_import_progress_bar_is_read_by_the_browser(client):
    """A long import in French: the bar's numbers stay numbers (« 12000 », not « 12 000 »)."""
    from django.template.loader import render_to_string
    from django.test import override_settings

    with translation.override("fr"), override_settings(USE_THOUSAND_SEPARATOR=True):
        html = render_to_string(
            "records/import_job.html",
            {"state": "running", "job_id": "j", "status": {"total": 12000, "done": 4321.0}},
        )
    bar = re.search(r"<progress[^>]*>", html).group(0)
    assert 'max="12000"' in bar and 'value="4321' in bar, bar
    float(re.search(r'value="([^"]+)"', bar).group(1))
