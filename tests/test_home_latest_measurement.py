"""The home page and the printed summary give the right latest heart rate.

Antoine (the demo runner) measures his resting heart rate every morning and his heart rate
on each run. The home page and the summary show the newest resting value as his heart
rate, and a run's average only as « pendant l'effort », never as the resting one. The same
holds for real watch files: a FIT session, a GPX track (exercise) and an Apple Health day.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.demo import dossiers, personas
from carnet.records import current as records_current
from carnet.records import importers, imports, services, summary_pdf, words

from .helpers import DATA

RESTING, HEART_RATE = "40443-4", "8867-4"


def _codes(r: dict) -> set[str]:
    return {c.get("code") for c in (r.get("code") or {}).get("coding") or []}


def _start(r: dict) -> str:
    return r.get("effectiveDateTime") or (r.get("effectivePeriod") or {}).get("start") or ""


def _value(r: dict) -> str:
    v = r["valueQuantity"]["value"]
    return str(int(v)) if float(v).is_integer() else str(round(v, 2)).replace(".", ",")


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return match.group(1)


def _lines(html: str) -> dict[str, str]:
    """{label: value} of the home page's measurements."""
    found = re.findall(
        r'<span class="home-title">(.*?)</span> <span class="home-value">(.*?)</span>', html
    )
    return {label.replace("&#x27;", "'"): value for label, value in found}


@pytest.fixture
def antoine(client):
    user = accounts.create_user("antoine@example.org", "correct horse battery")
    patient = accounts.patient_of(user) or accounts.ensure_own_patient(user)
    bundle = dossiers.bundle_for(personas.RUNNER.key, timezone.localdate())
    imports.import_bundle(
        Actor.operator(),
        bundle,
        patient_id=patient.pk,
        filename="demo",
        purpose=Purpose.OPERATIONS,
    )
    client.force_login(user)
    observations = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    resting = max((r for r in observations if RESTING in _codes(r)), key=_start)
    run = max((r for r in observations if HEART_RATE in _codes(r)), key=_start)
    assert _start(resting) > _start(run)  # the demo's point: the resting value is newer
    return user, resting, run


def test_antoine_home_shows_his_resting_heart_rate_and_the_run_as_effort(client, antoine):
    _user, resting, run = antoine
    html = client.get(reverse("home")).content.decode()
    lines = _lines(_section(html, "h-vitals"))
    assert lines.get("Fréquence cardiaque au repos", "").startswith(_value(resting) + " "), lines
    assert lines.get("Fréquence cardiaque pendant l'effort", "").startswith(_value(run) + " ")
    assert "Fréquence cardiaque" not in lines  # no unlabelled heart rate: the run is not it


def test_antoine_printed_summary_says_the_same(client, antoine):
    user, resting, run = antoine
    paper = summary_pdf.paper_summary(
        Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF
    )
    shown = {v.label: v.value for v in paper.vitals}
    assert shown["Fréquence cardiaque au repos"] == _value(resting)
    assert shown["Fréquence cardiaque pendant l'effort"] == _value(run)
    content = client.get(reverse("records:summary_pdf")).content
    text = " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert f"Fréquence cardiaque au repos {_value(resting)} " in text
    assert f"Fréquence cardiaque pendant l'effort {_value(run)} " in text


WATCH_FILES = [
    DATA / "wearables" / "fit" / "tests" / "files" / "garmin-fenix-5-run.fit",
    DATA / "wearables" / "gpx" / "garmin_gpxtpx.gpx",
    DATA / "wearables" / "apple-health" / "export.xml",
]


def test_real_watch_files_keep_exercise_apart_from_a_single_reading(client):
    user = accounts.create_user("runner@example.org", "correct horse battery")
    pid = (accounts.patient_of(user) or accounts.ensure_own_patient(user)).pk
    for path in WATCH_FILES:
        importers.import_file(Actor.of_user(user), pid, path.read_bytes(), path.name, Purpose.SELF)
    rates = [
        r
        for r in services.search(Actor.of_user(user), pid, "Observation", Purpose.SELF).resources
        if HEART_RATE in _codes(r)
    ]
    effort = [r for r in rates if words.heart_rate_context(r) == "effort"]
    other = [r for r in rates if words.heart_rate_context(r) != "effort"]
    # The FIT run and the GPX track are exercise; the Apple Health day is a reading.
    assert len(effort) == 2 and len(other) == 1, [_start(r) for r in rates]
    assert all(
        "activity" in {c.get("code") for cat in r["category"] for c in cat["coding"]}
        for r in effort
    )  # tagged at import, so the home page can tell without reading every item
    cur = records_current.summary(Actor.of_user(user), pid, Purpose.SELF)
    shown = {v.key: v for v in cur.vitals}
    newest_effort = max(effort, key=_start)
    assert shown["hr_effort"].value == _value(newest_effort)
    assert shown["hr_effort"].label == "Fréquence cardiaque pendant l'effort"
    assert shown["hr"].value == _value(other[0]) and shown["hr"].label == "Fréquence cardiaque"


@pytest.mark.parametrize(
    "resource, context",
    [
        ({"code": {"coding": [{"code": RESTING}]}}, "rest"),
        ({"code": {"coding": [{"code": HEART_RATE}]}}, "reading"),
        (
            {
                "code": {"coding": [{"code": HEART_RATE}]},
                "category": [{"coding": [{"code": "vital-signs"}, {"code": "activity"}]}],
            },
            "effort",
        ),
        ({"code": {"coding": [{"code": "55422-0"}]}}, "effort"),  # encounter maximum (PA IG)
        (
            {
                "code": {"coding": [{"code": HEART_RATE}]},
                "component": [{"code": {"coding": [{"code": "55411-3"}]}}],  # exercise duration
            },
            "effort",
        ),
    ],
)
def test_the_context_comes_from_codes_and_category(resource, context):
    assert words.heart_rate_context({"resourceType": "Observation", **resource}) == (context)


def test_an_apple_watch_run_and_its_resting_rate_read_right(client):
    """Apple Health: the samples taken during a workout are a heart rate during exercise
    (not averaged into the day's), and the watch's daily resting heart rate is resting."""
    run = "2024-05-01 18:00:00 +0200", "2024-05-01 18:40:00 +0200"

    def rec(rtype, value, when):
        return (
            f'<Record type="HKQuantityTypeIdentifier{rtype}" sourceName="Watch" '
            f'unit="count/min" startDate="{when}" endDate="{when}" value="{value}"/>'
        )

    records = "".join(
        rec("HeartRate", v, when)
        for when, v in (
            ("2024-05-01 09:00:00 +0200", 62),
            ("2024-05-01 12:00:00 +0200", 70),
            ("2024-05-01 18:10:00 +0200", 150),
            ("2024-05-01 18:30:00 +0200", 160),
            ("2024-05-01 21:00:00 +0200", 66),
        )
    )
    records += rec("RestingHeartRate", 54, "2024-05-02 06:00:00 +0200")
    records += (
        '<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="40" '
        f'durationUnit="min" sourceName="Watch" startDate="{run[0]}" endDate="{run[1]}"/>'
    )
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<HealthData locale="fr_FR"><ExportDate value="2024-05-02 08:00:00 +0200"/>{records}'
        "</HealthData>"
    ).encode()
    user = accounts.create_user("watch@example.org", "correct horse battery")
    pid = (accounts.patient_of(user) or accounts.ensure_own_patient(user)).pk
    importers.import_file(Actor.of_user(user), pid, data, "export.xml", Purpose.SELF)
    rates = [
        r
        for r in services.search(Actor.of_user(user), pid, "Observation", Purpose.SELF).resources
        if _codes(r) & {HEART_RATE, RESTING}
    ]
    by_context = {words.heart_rate_context(r): r for r in rates}
    assert len(rates) == 3 and set(by_context) == {"rest", "reading", "effort"}
    assert by_context["effort"]["valueQuantity"]["value"] == 155
    assert by_context["reading"]["valueQuantity"]["value"] == pytest.approx((62 + 70 + 66) / 3)
    assert by_context["rest"]["valueQuantity"]["value"] == 54
    shown = {
        v.label: v.value
        for v in records_current.summary(Actor.of_user(user), pid, Purpose.SELF).vitals
    }
    assert shown == {
        "Fréquence cardiaque au repos": "54",
        "Fréquence cardiaque pendant l'effort": "155",
    }
