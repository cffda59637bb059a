"""Importing GPX tracks, TCX activities and Apple Health exports (export.xml and the zip)."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from datetime import datetime

import pytest
from defusedxml import ElementTree as ET
from django.conf import settings

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services
from carnet.records.imports import ImportRefused
from carnet.records.models import Blob, ResourceVersion

from .helpers import DATA

GPX = DATA / "wearables" / "gpx" / "garmin_gpxtpx.gpx"
APPLE = DATA / "wearables" / "apple-health" / "export.xml"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def _code(component: dict) -> str:
    """A component's code (LOINC, or Carnet's own: « minimum », « distance »…)."""
    return component["code"]["coding"][0]["code"]


def _import(user, data: bytes, name="file"):
    return importers.import_file(
        Actor.of_user(user), accounts.patient_of(user).pk, data, name, Purpose.SELF
    )


def _observations(user) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for res in services.everything(Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF):
        if res["resourceType"] == "Observation":
            out[res["code"]["coding"][0]["code"]].append(res)
    return out


def _counts():
    return ResourceVersion.objects.count(), Blob.objects.count(), AuditEntry.objects.count()


def _refused(user, data: bytes) -> ImportRefused:
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        _import(user, data)
    assert _counts() == before
    return refused.value


# --- GPX ---------------------------------------------------------------------------------------


def test_gpx_track_heart_rate_is_summarised(citizen):
    root = ET.parse(GPX).getroot()
    hrs = [float(e.text) for e in root.iter() if e.tag.endswith("}hr")]
    points = list(root.iter("{http://www.topografix.com/GPX/1/1}trkpt"))
    assert hrs
    assert importers.detect(GPX.read_bytes(), "track.txt") == "gpx"
    result = _import(citizen, GPX.read_bytes(), GPX.name)
    obs = _observations(citizen)
    [hr] = obs["8867-4"]
    assert hr["valueQuantity"]["value"] == sum(hrs) / len(hrs)
    assert {
        _code(c): c.get("valueQuantity", {}).get("value", c.get("valueInteger"))
        for c in hr["component"]
    } == {"minimum": min(hrs), "maximum": max(hrs), "measurement-count": len(hrs)}
    [activity] = obs["73985-4"]
    assert activity["valueCodeableConcept"]["text"] == root.findtext(
        "{http://www.topografix.com/GPX/1/1}trk/{http://www.topografix.com/GPX/1/1}type"
    )
    when = points[0].findtext("{http://www.topografix.com/GPX/1/1}time")
    assert datetime.fromisoformat(activity["effectivePeriod"]["start"]) == datetime.fromisoformat(
        when
    )
    # No resource per GPS point: the activity, the heart rate, and the kept file (and the
    # Patient, since this new record had none).
    assert result.by_type == {"Observation": 2, "DocumentReference": 1, "Patient": 1}


def test_gpx_with_an_entity_bomb_is_refused(citizen):
    bomb = GPX.read_bytes().replace(
        b"<gpx ", b'<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><gpx ', 1
    )
    exc = _refused(citizen, bomb)
    assert "entities" in str(exc)


# --- TCX ---------------------------------------------------------------------------------------


def _tcx(hrs: list[int]) -> bytes:
    points = "".join(
        f"<Trackpoint><Time>2024-05-01T07:00:{i:02d}Z</Time>"
        f"<HeartRateBpm><Value>{v}</Value></HeartRateBpm></Trackpoint>"
        for i, v in enumerate(hrs)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="{TCX_NS}">'
        '<Activities><Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id>'
        '<Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>59</TotalTimeSeconds>'
        "<DistanceMeters>180.5</DistanceMeters><Calories>12</Calories>"
        f"<Track>{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def test_tcx_activity_and_heart_rate(citizen):
    hrs = [90, 120, 150, 141]
    data = _tcx(hrs)
    assert importers.detect(data) == "tcx"
    _import(citizen, data, "run.tcx")
    obs = _observations(citizen)
    [hr] = obs["8867-4"]
    assert hr["valueQuantity"]["value"] == pytest.approx(sum(hrs) / len(hrs), abs=0.05)
    [activity] = obs["73985-4"]
    assert activity["valueCodeableConcept"]["text"] == "Running"
    values = {_code(c): c["valueQuantity"]["value"] for c in activity["component"]}
    assert values["distance"] == 180.5 and values["41981-2"] == 12


# --- Apple Health ------------------------------------------------------------------------------


def _apple_expected():
    root = ET.parse(APPLE).getroot()
    records = root.findall("Record")
    hr = [float(r.get("value")) for r in records if r.get("type").endswith("HeartRate")]
    bmi = [float(r.get("value")) for r in records if r.get("type").endswith("BodyMassIndex")]
    workouts = root.findall("Workout")
    return hr, bmi, workouts


def test_apple_health_export_records_and_workouts(citizen):
    hr, bmi, workouts = _apple_expected()
    assert importers.detect(APPLE.read_bytes(), "export.json") == "apple-health"
    result = _import(citizen, APPLE.read_bytes(), "export.xml")
    obs = _observations(citizen)
    assert [o["valueQuantity"]["value"] for o in obs["8867-4"]] == [sum(hr) / len(hr)]
    assert [o["valueQuantity"]["value"] for o in obs["39156-5"]] == [round(v, 2) for v in bmi]
    assert len(obs["73985-4"]) == len(workouts)
    run = obs["73985-4"][0]
    assert run["valueCodeableConcept"]["text"] == workouts[0].get(
        "workoutActivityType"
    ).removeprefix("HKWorkoutActivityType")
    values = {_code(c): c["valueQuantity"]["value"] for c in run["component"]}
    miles = float(workouts[0].get("totalDistance"))
    assert values["distance"] == pytest.approx(miles * 1609.344, abs=0.1)
    assert values["55411-3"] == pytest.approx(float(workouts[0].get("duration")), abs=0.01)
    # Nutrition records and activity rings are not imported, and the result says so.
    assert any("DietaryFatTotal" in n for n in result.notes)
    # …and lists them for the person, as parts readable in the kept original only.
    assert any(p["section"] == "DietaryFatTotal" for p in result.left_out)


def _export(records: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n'
        "<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>\n"
        "<!ATTLIST HealthData locale CDATA #REQUIRED>\n]>\n"
        f'<HealthData locale="fr_FR"><ExportDate value="2024-05-02 08:00:00 +0200"/>{records}'
        "</HealthData>"
    ).encode()


def _rec(rtype, value, when, unit, source="iPhone"):
    return (
        f'<Record type="HKQuantityTypeIdentifier{rtype}" sourceName="{source}" unit="{unit}" '
        f'startDate="{when}" endDate="{when}" creationDate="{when}" value="{value}"/>'
    )


def test_apple_health_days_steps_weight_and_blood_pressure(citizen):
    steps_iphone = [1200, 3400, 500]
    steps_watch = [1000, 3000]
    records = "".join(
        _rec("StepCount", v, f"2024-05-01 {8 + i:02d}:00:00 +0200", "count")
        for i, v in enumerate(steps_iphone)
    )
    records += "".join(
        _rec("StepCount", v, f"2024-05-01 {8 + i:02d}:00:00 +0200", "count", "Watch")
        for i, v in enumerate(steps_watch)
    )
    records += _rec("StepCount", 42, "2024-05-02 07:00:00 +0200", "count")
    records += "".join(
        _rec("HeartRate", v, f"2024-05-01 {9 + i:02d}:00:00 +0200", "count/min")
        for i, v in enumerate([60, 70, 95])
    )
    records += _rec("BodyMass", 154.0, "2024-05-01 07:00:00 +0200", "lb")
    records += (
        '<Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" '
        'startDate="2024-05-01 07:05:00 +0200" endDate="2024-05-01 07:05:00 +0200">'
        + _rec("BloodPressureSystolic", 128, "2024-05-01 07:05:00 +0200", "mmHg")
        + _rec("BloodPressureDiastolic", 81, "2024-05-01 07:05:00 +0200", "mmHg")
        + "</Correlation>"
    )
    data = _export(records)
    assert importers.detect(data) == "apple-health"
    _import(citizen, data, "export.xml")
    obs = _observations(citizen)
    steps = sorted(obs["55423-8"], key=lambda o: o["effectivePeriod"]["start"])
    # Per day, the source that counted most (iPhone and watch count the same steps).
    assert [s["valueQuantity"]["value"] for s in steps] == [sum(steps_iphone), 42]
    assert steps[0]["effectivePeriod"]["start"] == "2024-05-01T00:00:00+02:00"
    [hr] = obs["8867-4"]
    assert hr["valueQuantity"]["value"] == pytest.approx(75.0)
    [weight] = obs["29463-7"]
    assert weight["valueQuantity"] == {
        "value": round(154.0 * 0.45359237, 2),
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }
    [bp] = obs["85354-9"]
    assert [
        (c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in bp["component"]
    ] == [
        ("8480-6", 128),
        ("8462-4", 81),
    ]


def test_apple_health_zip_is_read(citizen):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        zf.writestr("apple_health_export/export.xml", APPLE.read_bytes())
    data = buf.getvalue()
    assert importers.detect(data, "export.pdf") == "apple-health-zip"
    result = _import(citizen, data, "export.zip")
    assert result.kind == "apple-health-zip"
    assert _observations(citizen)["8867-4"]


def test_zip_bomb_and_other_zips_are_refused(citizen, settings):
    settings.CARNET_MAX_IMPORT_BYTES = 64 * 1024
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        body = b"<Record/>" * (settings.CARNET_MAX_IMPORT_BYTES * 30 // 9)
        zf.writestr("apple_health_export/export.xml", b"<HealthData>" + body + b"</HealthData>")
    assert len(buf.getvalue()) < settings.CARNET_MAX_IMPORT_BYTES
    exc = _refused(citizen, buf.getvalue())
    assert exc.reason == "too_big" and "unpacks" in str(exc)
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "hello")
    exc = _refused(citizen, other.getvalue())
    assert "cannot be imported" in str(exc)


def test_truncated_apple_export_is_refused(citizen):
    data = APPLE.read_bytes()
    exc = _refused(citizen, data[: len(data) * 2 // 3])
    assert exc.reason == "unreadable" and "XML" in str(exc)


def test_file_too_big_is_refused_before_reading(citizen):
    data = APPLE.read_bytes()
    data += b" " * (settings.CARNET_MAX_IMPORT_BYTES + 1 - len(data))
    exc = _refused(citizen, data)
    assert exc.reason == "too_big"
