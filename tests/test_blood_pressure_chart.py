"""A blood pressure's page draws its readings over time: two lines (systolic above,
diastolic below, found by their LOINC codes) and the table of every earlier reading.

Gustavo's Synthea bundle holds four blood pressures, written as component observations
(and the diastolic component first): the page of the latest one charts all four.
"""

from __future__ import annotations

import html
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.urls import reverse

from tests import plain_words

from .helpers import citizen, import_file, synthea

SYS, DIA = "8480-6", "8462-4"


def _pressures(path) -> list[dict]:
    bundle = json.loads(path.read_text())
    found = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "55284-4" in str(e["resource"]["code"])
    ]
    return sorted(found, key=lambda r: r["effectiveDateTime"])


def _by_code(obs: dict) -> dict[str, float]:
    return {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in obs["component"]}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_latest_blood_pressure_charts_every_reading(client, language):
    path = synthea("Gustavo")
    user = citizen()
    import_file(user, path)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    readings = _pressures(path)
    assert len(readings) >= 4

    # The item's id is the one the import gave it: find the latest reading on the timeline.
    timeline = client.get(reverse("records:timeline") + "?type=measurements").content.decode()
    latest = _by_code(readings[-1])
    page = None
    for item_id in re.findall(r'href="/dossier/element/([^/]+)/"', timeline):
        found = client.get(reverse("records:item", args=[item_id])).content.decode()
        if "<svg" in found and ("Tension artérielle" in found or "Blood pressure" in found):
            page = found
            break
    assert page is not None, "no blood pressure page with a chart"
    assert plain_words.svg_numbers(page) == 1
    svg = ElementTree.fromstring(re.search(r"<svg.*?</svg>", page, re.S)[0])
    lines = [el.attrib["points"].split() for el in svg.iter() if el.tag.endswith("polyline")]
    assert len(lines) == 2 and all(len(line) == len(readings) for line in lines)
    upper, lower = ([tuple(map(float, p.split(","))) for p in line] for line in lines)
    assert all(u[0] == d[0] and u[1] < d[1] for u, d in zip(upper, lower, strict=True))
    # The table beside the chart: every reading, systolic first, newest first.
    table = html.unescape(re.search(r'<table class="stack">(.*?)</table>', page, re.S)[1])
    values = [v for _d, v in re.findall(r"<td data-label=\"([^\"]+)\">([^<]*/[^<]*)</td>", table)]
    assert len(values) == len(readings)
    # Whole mmHg for people (the record keeps every digit).
    first = str(int(Decimal(str(latest[SYS])).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    assert values[0].startswith(first + "/"), values
