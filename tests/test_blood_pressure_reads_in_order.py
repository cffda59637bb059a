"""Read a blood pressure: « 118/74 mmHg », systolic first, wherever it is shown.

Synthea writes the diastolic component before the systolic one; Carnet finds each by its
LOINC code (8480-6 systolic, 8462-4 diastolic), never by position, on the home page, the
timeline, the item page, the practitioner's view and the printed summary, in French and in
English, in whole mmHg (Synthea's « 118.34 » reads « 118 »; see
tests/test_read_vital_signs_with_sensible_precision.py).
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.records import words
from tests import plain_words
from tests.helpers import citizen, import_file, synthea

from .people import pro

SYS, DIA = words.SYSTOLIC, words.DIASTOLIC


def _pressures(path) -> list[dict]:
    bundle = json.loads(path.read_text())
    found = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "55284-4" in str(e["resource"]["code"])
    ]
    return sorted(found, key=lambda r: r["effectiveDateTime"])


def _values(obs: dict) -> tuple[float, float]:
    by_code = {
        c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in obs["component"]
    }
    return by_code[SYS], by_code[DIA]


def _shown(value: float, language: str) -> str:
    """A blood pressure value as a person reads it: whole, rounded half up."""
    return str(int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@pytest.fixture
def gustavo(client):
    path = synthea("Gustavo")
    user = citizen()
    import_file(user, path)
    client.force_login(user)
    return _pressures(path)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_home_timeline_item_and_summary_show_systolic_first(client, gustavo, language):
    latest = gustavo[-1]
    # The file itself lists the diastolic value first: position would get it wrong.
    assert latest["component"][0]["code"]["coding"][0]["code"] == DIA
    systolic, diastolic = _values(latest)
    right = f"{_shown(systolic, language)}/{_shown(diastolic, language)} mmHg"
    wrong = f"{_shown(diastolic, language)}/{_shown(systolic, language)}"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    home = plain_words.visible_text(client.get(reverse("home")).content.decode())
    assert f"{_shown(systolic, language)}/{_shown(diastolic, language)} mmHg" in home, home

    timeline = client.get(reverse("records:timeline")).content.decode()
    text = plain_words.visible_text(timeline)
    assert right in text and wrong not in text
    for obs in gustavo:
        s, d = _values(obs)
        assert f"{_shown(d, language)}/{_shown(s, language)}" not in text

    link = next(
        url
        for row, url in (
            (m.group(0), plain_words.ITEM_LINK.search(m.group(0)).group(1))
            for m in re.finditer(r'<li class="tl-row">.*?</li>', timeline, re.S)
        )
        if right in plain_words.visible_text(row)
    )
    item = plain_words.visible_text(client.get(link).content.decode())
    assert right in item and wrong not in item

    summary = plain_words.visible_text(client.get(reverse("records:summary")).content.decode())
    assert right in summary


def test_a_practitioner_reads_it_in_the_same_order(client, gustavo):
    """The practitioner's timeline and emergency view use the same formatter."""
    latest = gustavo[-1]
    with translation.override("fr"):
        assert words.value(latest) == "{}/{} mmHg".format(
            *(_shown(v, "fr") for v in _values(latest))
        )
        assert words.describe(latest)["detail"] == words.value(latest)


def test_components_by_code_whatever_their_order():
    def component(code, value):
        return {
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueQuantity": {
                "value": value,
                "unit": "mm[Hg]",
                "system": "http://unitsofmeasure.org",
                "code": "mm[Hg]",
            },
        }

    bp = {"resourceType": "Observation", "code": {"coding": [{"code": "85354-9"}]}}
    with translation.override("fr"):
        for order in ([(SYS, 142), (DIA, 88)], [(DIA, 88), (SYS, 142)]):
            bp["component"] = [component(c, v) for c, v in order]
            assert words.value(bp) == "142/88 mmHg"
        # Only one of the two: said with its name, never as half a fraction.
        bp["component"] = [component(DIA, 88)]
        assert words.value(bp) == "Pression diastolique : 88 mmHg"
    with translation.override("en"):
        bp["component"] = [component(DIA, 88.5), component(SYS, 142.25)]
        assert words.value(bp) == "142/89 mmHg"


def test_the_practitioner_timeline_shows_it_systolic_first(client):
    path = synthea("Gustavo")
    owner = citizen()
    import_file(owner, path)
    pid = accounts.patient_of(owner).pk
    gp = pro("Claire Garonne", "médecin généraliste", "Cabinet des Carmes")
    grants.share(Actor.of_user(owner), pid, gp.pk, categories=["measurements"], duration="month")
    client.force_login(gp)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("records:pro_timeline", args=[pid])).content.decode()
    text = plain_words.visible_text(html)
    systolic, diastolic = _values(_pressures(path)[-1])
    assert f"{_shown(systolic, 'fr')}/{_shown(diastolic, 'fr')} mmHg" in text
    assert f"{_shown(diastolic, 'fr')}/{_shown(systolic, 'fr')}" not in text
