"""Read a measurement: vital signs read with the precision a person uses (Synthea writes
« 121.46346734244818 » mmHg: the page says « 121/86 mmHg »; a weight to 0.1 kg, a
temperature to 0.1 °C, a heart rate whole, a BMI to 0.1). The precision is data (the
``digits`` column of ``records/data/units.tsv``); numbers for machines keep every digit."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services, words
from tests import plain_words
from tests.helpers import citizen, import_file, synthea

LOINC = "http://loinc.org"
DIGITS = {"29463-7": 1, "8867-4": 0, "39156-5": 1, "8310-5": 1, "8302-2": 1}


def _round(value: float, digits: int) -> str:
    q = Decimal(1).scaleb(-digits)
    shown = Decimal(value).quantize(q, rounding=ROUND_HALF_UP).normalize()
    return f"{shown:f}"


def _q(value, code):
    return {"value": value, "unit": code, "system": "http://unitsofmeasure.org", "code": code}


@pytest.mark.parametrize(
    ("value", "unit", "context", "fr", "en"),
    [
        (108.863, "kg", "29463-7", "108,9 kg", "108.9 kg"),
        (37.58, "kg/m2", "39156-5", "37,6 kg/m²", "37.6 kg/m²"),
        (80.4, "/min", "8867-4", "80 battements par minute", "80 beats per minute"),
        (37.25, "Cel", "8310-5", "37,3 °C", "37.3 °C"),
        (121.46, "mm[Hg]", "8480-6", "121 mmHg", "121 mmHg"),
        (84.5, "mm[Hg]", "8462-4", "85 mmHg", "85 mmHg"),
        # Without a measure that says otherwise, a value keeps two decimals.
        (118.34, "mm[Hg]", None, "118,34 mmHg", "118.34 mmHg"),
        (3.456, "kg", None, "3,46 kg", "3.46 kg"),
    ],
)
def test_a_value_reads_with_the_precision_of_its_measure(value, unit, context, fr, en):
    with translation.override("fr"):
        assert words.quantity(_q(value, unit), context) == fr
    with translation.override("en"):
        assert words.quantity(_q(value, unit), context) == en


def test_a_blood_pressure_reads_whole():
    bp = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": LOINC, "code": "85354-9"}]},
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "valueQuantity": _q(v, "mm[Hg]"),
            }
            for code, v in (("8462-4", 85.66), ("8480-6", 121.46))
        ],
    }
    with translation.override("fr"):
        assert words.value(bp) == "121/86 mmHg"
        assert words.pair_text(121.46, 85.66) == "121/86"


def test_the_precision_is_data():
    digits = words.precision_table()
    assert digits[("mm[Hg]", "8480-6")] == 0 and digits[("kg", "29463-7")] == 1
    for (unit, context), d in digits.items():
        assert (unit, context) in words.unit_table() and 0 <= d <= 3


def _stored(user):
    pid = accounts.patient_of(user).pk
    return [
        r
        for r in services.everything(Actor.of_user(user), pid, Purpose.SELF)
        if r["resourceType"] == "Observation"
    ]


def _text(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return plain_words.visible_text(response.content.decode())


def test_synthea_vital_signs_read_with_sensible_precision(client):
    path = synthea("Keitha")
    original = {r["id"]: r for r in plain_words.resources_of(path)}
    user = citizen()
    import_file(user, path)
    client.force_login(user)
    stored = _stored(user)
    checked = set()
    for r in stored:
        code = words.measure_code(r)
        url = reverse("records:item", args=[r["id"]])
        if code in DIGITS and code not in checked and "valueQuantity" in r:
            value = r["valueQuantity"]["value"]
            assert any(  # the record keeps every digit the file gave
                o.get("valueQuantity", {}).get("value") == value for o in original.values()
            )
            shown = _round(value, DIGITS[code])
            assert f"La mesure {shown.replace('.', ',')} " in _text(client, url, "fr"), code
            assert f"The measurement {shown} " in _text(client, url, "en"), code
            checked.add(code)
        elif code in ("85354-9", "55284-4") and "bp" not in checked:
            sys_v, dia_v = words.pair(r)
            assert sys_v != int(sys_v)  # Synthea's many decimals
            expected = f"{_round(sys_v, 0)}/{_round(dia_v, 0)} mmHg"
            assert f"La mesure {expected}" in _text(client, url, "fr")
            checked.add("bp")
    present = {words.measure_code(r) for r in stored} & set(DIGITS)
    assert {"29463-7", "39156-5", "8302-2"} <= present and checked == present | {"bp"}
    # The home and the timeline say the latest blood pressure without decimals either.
    home = _text(client, reverse("home"), "fr")
    timeline = _text(client, reverse("records:timeline"), "fr")
    assert re.search(r"\d+/\d+ mmHg", home)
    for text in (home, timeline):
        for found in re.findall(r"(\d+(?:,\d+)?)/(\d+(?:,\d+)?) mmHg", text):
            assert "," not in "".join(found), found


def test_rounding_is_half_up_and_never_fails():
    with translation.override("fr"):
        assert words.number(84.5, 0) == "85" and words.number(0.125) == "0,13"
        assert words.number(1e30).startswith("1000000000000000")  # too long to round: whole
        assert words.number(float("nan")) == "nan"
