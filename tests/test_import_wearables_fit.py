"""Importing FIT files: each ground-truth file against its CSV, and the files that must fail.

See ``wearables/fit/EXPECTATIONS.md`` in the shared data for which file must fail and how.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services
from carnet.records.imports import ImportRefused
from carnet.records.models import Blob, ResourceVersion

from .helpers import DATA

FILES = DATA / "wearables" / "fit" / "tests" / "files"
GROUND_TRUTH = [
    "garmin-edge-500-activity",
    "garmin-fenix-5-bike",
    "garmin-fenix-5-run",
    "garmin-fenix-5-walk",
    "garmin-edge-820-bike",
    "compressed-speed-distance",
]
MUST_FAIL = {
    "activity-filecrc.fit": "checksum",
    "activity-unexpected-eof.fit": "truncated",
    "activity-activity-filecrc.fit": "checksum",
    "activity-settings-corruptheader.fit": "header",
    "activity-settings-nodata.fit": "truncated",
    # Unterminated (no final checksum): Carnet checks every file's checksum, so refuses it.
    "nick.fit": "truncated",
    # A crashed recording: a message refers to a definition the file never gave.
    "strava-android-app-201.10-b1218918.fit": "damaged",
}
NO_HEALTH_DATA = {
    "Settings.fit",
    "Settings2.fit",
    "nametest.FIT",
    "WorkoutCustomTargetValues.fit",
    "WorkoutIndividualSteps.fit",
    "WorkoutRepeatGreaterThanStep.fit",
    "WorkoutRepeatSteps.fit",
}
PDT = timezone(timedelta(hours=-7))


def _import(user, path):
    return importers.import_file(
        Actor.of_user(user),
        accounts.patient_of(user).pk,
        path.read_bytes(),
        path.name,
        Purpose.SELF,
    )


def _observations(user) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for res in services.everything(Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF):
        if res["resourceType"] == "Observation":
            out[res["code"]["coding"][0]["code"]].append(res)
    return out


def _component(obs, code):
    """A component by its code (LOINC, or Carnet's own: « minimum », « distance »…)."""
    return next(c for c in obs["component"] if c["code"]["coding"][0]["code"] == code)


def _counts():
    return ResourceVersion.objects.count(), Blob.objects.count(), AuditEntry.objects.count()


def _csv(name):
    with open(FILES / f"{name}-records.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip().lower() for h in rows[0]]
    return header, rows[1:]


def _when(text: str):
    if text.strip().isdigit():
        return None  # device-relative seconds: no calendar time
    assert " PDT " in text
    return datetime.strptime(text.replace(" PDT ", " "), "%a %b %d %H:%M:%S %Y").replace(tzinfo=PDT)


@pytest.mark.parametrize("name", GROUND_TRUTH)
def test_fit_records_match_their_csv(citizen, name):
    header, rows = _csv(name)
    hr_col = next(i for i, h in enumerate(header) if h.startswith("heart"))
    dist_col = next(i for i, h in enumerate(header) if h.startswith("distance"))
    hrs = [float(r[hr_col]) for r in rows if r[hr_col].strip() not in ("", "null")]
    hrs = [v for v in hrs if v > 0]
    distances = [float(r[dist_col]) for r in rows if r[dist_col].strip() not in ("", "null")]
    first, last = _when(rows[0][0]), _when(rows[-1][0])

    result = _import(citizen, FILES / f"{name}.fit")
    assert result.kind == "fit"
    obs = _observations(citizen)
    [hr] = obs["8867-4"]  # one heart-rate summary for the one activity, not one per record
    [activity] = obs["73985-4"]
    assert hr["valueQuantity"]["value"] == pytest.approx(sum(hrs) / len(hrs), abs=0.051)
    assert hr["valueQuantity"]["code"] == "/min"
    assert _component(hr, "minimum")["valueQuantity"]["value"] == min(hrs)
    assert _component(hr, "maximum")["valueQuantity"]["value"] == max(hrs)
    assert _component(hr, "measurement-count")["valueInteger"] == len(hrs)
    distance = _component(activity, "distance")["valueQuantity"]["value"]
    assert distance == pytest.approx(max(distances), rel=0.01)
    if first is None:
        assert "effectivePeriod" not in activity and "effectivePeriod" not in hr
    else:
        start = datetime.fromisoformat(activity["effectivePeriod"]["start"])
        end = datetime.fromisoformat(activity["effectivePeriod"]["end"])
        assert abs((start - first).total_seconds()) <= 1
        assert end >= last and hr["effectivePeriod"] == activity["effectivePeriod"]
    # The original FIT file is kept, referenced from each observation.
    [doc_id] = [result.document_id]
    assert all(
        o["derivedFrom"] == [{"reference": f"DocumentReference/{doc_id}"}] for o in obs["8867-4"]
    )


@pytest.mark.parametrize("name", sorted(MUST_FAIL))
def test_damaged_fit_files_are_refused_and_nothing_is_written(citizen, name):
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        _import(citizen, FILES / name)
    assert _counts() == before
    assert refused.value.reason == "unreadable"
    assert MUST_FAIL[name] in str(refused.value)
    assert "FIT" in str(refused.value)


VALID = sorted(
    p.name
    for p in FILES.iterdir()
    if p.suffix.lower() == ".fit" and p.name not in MUST_FAIL and p.name not in NO_HEALTH_DATA
)


@pytest.mark.parametrize("name", VALID)
def test_every_other_fit_file_imports(citizen, name):
    result = _import(citizen, FILES / name)
    assert result.created >= 2  # at least one observation and the kept file
    assert result.by_type.get("Observation", 0) >= 1


@pytest.mark.parametrize("name", sorted(NO_HEALTH_DATA))
def test_settings_and_workout_files_hold_nothing_to_import(citizen, name):
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        _import(citizen, FILES / name)
    assert "holds no activity" in str(refused.value)
    assert _counts() == before


def test_weight_scale_and_daily_steps(citizen):
    import fitdecode

    weights = []
    with fitdecode.FitReader(str(FILES / "WeightScaleSingleUser.fit")) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "weight_scale":
                weights.append(frame.get_value("weight"))
    _import(citizen, FILES / "WeightScaleSingleUser.fit")
    got = [o["valueQuantity"] for o in _observations(citizen)["29463-7"]]
    assert sorted(q["value"] for q in got) == sorted(weights)
    assert {q["code"] for q in got} == {"kg"}
    _import(citizen, FILES / "MonitoringFile.fit")
    steps = _observations(citizen)["55423-8"]
    assert steps and all(s["valueQuantity"]["value"] > 0 for s in steps)
    for s in steps:  # one per day
        start = datetime.fromisoformat(s["effectivePeriod"]["start"])
        end = datetime.fromisoformat(s["effectivePeriod"]["end"])
        assert end - start == timedelta(days=1)


def test_multisport_file_gives_one_summary_per_session(citizen):
    import fitdecode

    sessions = 0
    with fitdecode.FitReader(str(FILES / "activity-large-fenxi2-multisport.fit")) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "session":
                sessions += 1
    _import(citizen, FILES / "activity-large-fenxi2-multisport.fit")
    obs = _observations(citizen)
    assert len(obs["73985-4"]) == sessions
    assert len(obs["8867-4"]) <= sessions + 1  # per session, plus at most the rest of a day


def test_same_fit_file_twice_is_recognised(citizen):
    _import(citizen, FILES / "garmin-fenix-5-run.fit")
    before = _counts()
    again = _import(citizen, FILES / "garmin-fenix-5-run.fit")
    assert again.duplicate and again.created == 0
    assert _counts() == before


def test_detection_is_by_content_not_name(citizen, tmp_path):
    renamed = tmp_path / "holiday-photo.jpg"
    renamed.write_bytes((FILES / "garmin-fenix-5-walk.fit").read_bytes())
    assert importers.detect(renamed.read_bytes(), renamed.name) == "fit"
    assert _import(citizen, renamed).kind == "fit"
    fake = tmp_path / "activity.fit"
    fake.write_bytes(b"this is not a FIT file at all")
    with pytest.raises(ImportRefused):
        _import(citizen, fake)
