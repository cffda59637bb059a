"""Apple Health exports: ``export.xml``, or the zip the Health app makes.

The XML is streamed (``defusedxml`` iterparse: the document type Apple declares is
allowed, entities are not) and aggregated so that years of samples stay readable:

- heart rate (HKQuantityTypeIdentifierHeartRate) → one heart-rate Observation (LOINC
  8867-4) per workout for the samples taken during it (category ``activity``: a heart
  rate during exercise), and one per day for the others: the mean, with minimum, maximum
  and sample count as components;
- resting heart rate (HKQuantityTypeIdentifierRestingHeartRate, one a day computed by the
  watch) → one Observation 40443-4 each;
- steps (HKQuantityTypeIdentifierStepCount) → one step count per day (LOINC 55423-8):
  per day, the samples of each source (iPhone, watch…) are added up and the largest
  source total is kept, since several devices count the same steps;
- body mass (29463-7, in kg) and body mass index (39156-5) → one Observation per
  measurement (they are few);
- blood pressure (HKCorrelationTypeIdentifierBloodPressure, or a systolic and diastolic
  sample taken at the same time) → one Observation 85354-9 with 8480-6 and 8462-4
  components;
- workouts → one activity Observation each (type, period, duration, distance, energy).

Other record types (nutrition, sleep, activity rings…) are counted and left in the kept
original.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.conf import settings

from carnet.records.imports import ImportRefused

from .common import (
    Conversion,
    activity_session,
    category,
    heart_rate_summary,
    iso,
    iterparse_xml,
    loinc,
    quantity,
)

KIND = "apple-health"
UNZIPPED_FACTOR = 20  # an export.xml compresses about 10-20 times
HK = "HKQuantityTypeIdentifier"
LB = 0.45359237
DISTANCE_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144}
DURATION_S = {"s": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0}


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def _float(text) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if v == v and abs(v) != float("inf") else None


def export_member(zf: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The export.xml inside an Apple Health zip (not export_cda.xml), if any."""
    found = [i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1] == "export.xml"]
    return min(found, key=lambda i: i.filename.count("/")) if found else None


class _Limited(io.RawIOBase):
    """A stream that refuses to deliver more than ``limit`` bytes (zip bombs)."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.read_so_far = raw, limit, 0

    def readable(self):
        return True

    def readinto(self, b):
        chunk = self.raw.read(len(b))
        self.read_so_far += len(chunk)
        if self.read_so_far > self.limit:
            raise ImportRefused(
                f"the archive unpacks to more than {self.limit // (1024 * 1024)} MB",
                reason="too_big",
            )
        b[: len(chunk)] = chunk
        return len(chunk)


def convert_zip(data: bytes) -> Conversion:
    limit = settings.CARNET_MAX_IMPORT_BYTES * UNZIPPED_FACTOR
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            member = export_member(zf)
            if member is None:
                raise ImportRefused("the zip holds no Apple Health export.xml", reason="unreadable")
            if member.file_size > limit:
                raise ImportRefused(
                    f"the archive unpacks to more than {limit // (1024 * 1024)} MB",
                    reason="too_big",
                )
            with zf.open(member) as raw:
                return _convert(io.BufferedReader(_Limited(raw, limit)), kind="apple-health-zip")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise ImportRefused(
            "the zip archive is damaged or uses an unsupported compression", reason="unreadable"
        ) from None


def convert(data: bytes) -> Conversion:
    return _convert(io.BytesIO(data), kind=KIND)


def _convert(stream, kind: str) -> Conversion:
    conv = Conversion(kind=kind)
    hr_days: dict = defaultdict(list)
    steps: dict = defaultdict(lambda: defaultdict(float))
    singles: list = []
    bp_parts: dict = defaultdict(dict)
    workouts: list = []
    skipped: Counter = Counter()
    depth = 0
    root_seen = False
    for event, el in iterparse_xml(stream, events=("start", "end"), what="the Apple Health export"):
        if event == "start":
            depth += 1
            if depth == 1:
                root_seen = True
                if el.tag != "HealthData":
                    raise ImportRefused(
                        "the file is not an Apple Health export", reason="unreadable"
                    )
            continue
        depth -= 1
        if depth != 1:
            continue
        tag = el.tag
        if tag == "Record":
            _record(el, hr_days, steps, singles, bp_parts, skipped)
        elif tag == "Correlation" and el.get("type") == "HKCorrelationTypeIdentifierBloodPressure":
            parts = {}
            for rec in el.findall("Record"):
                parts[rec.get("type")] = (_float(rec.get("value")), _when(rec.get("startDate")))
            sys_, dia = (
                parts.get(f"{HK}BloodPressureSystolic"),
                parts.get(f"{HK}BloodPressureDiastolic"),
            )
            when = _when(el.get("startDate"))
            if sys_ and dia and sys_[0] is not None and dia[0] is not None and when:
                singles.append(("bp", when, (sys_[0], dia[0])))
        elif tag == "Workout":
            workouts.append(dict(el.attrib))
        elif tag == "ActivitySummary":
            skipped["ActivitySummary"] += 1
        el.clear()
    if not root_seen:
        raise ImportRefused("the file is not an Apple Health export", reason="unreadable")
    for _key, parts in bp_parts.items():
        if "sys" in parts and "dia" in parts:
            singles.append(("bp", parts["when"], (parts["sys"], parts["dia"])))

    _workout_heart_rates(conv, hr_days, workouts)
    for _day, samples in sorted(hr_days.items()):
        if not samples:
            continue
        samples.sort(key=lambda s: s[0])
        conv.add(
            heart_rate_summary(
                [v for _t, v in samples],
                samples[0][0],
                samples[-1][0],
            )
        )
    for (day, tz), by_source in sorted(steps.items()):
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        conv.add(
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category("activity", "Activity"),
                "code": loinc("55423-8", "Number of steps"),
                "effectivePeriod": {"start": iso(start), "end": iso(start + timedelta(days=1))},
                "valueQuantity": quantity(int(round(max(by_source.values()))), "steps", "{steps}"),
            }
        )
    for what, when, value in sorted(singles, key=lambda s: s[1]):
        if what == "weight":
            conv.add(_vital("29463-7", "Body weight", when, quantity(round(value, 2), "kg", "kg")))
        elif what == "resting":
            conv.add(
                _vital(
                    "40443-4",
                    "Heart rate --resting",
                    when,
                    quantity(round(value, 1), "/min", "/min"),
                )
            )
        elif what == "bmi":
            conv.add(
                _vital(
                    "39156-5", "Body mass index", when, quantity(round(value, 2), "kg/m2", "kg/m2")
                )
            )
        elif what == "bp":
            obs = _vital("85354-9", "Blood pressure panel", when, None)
            obs["component"] = [
                {
                    "code": loinc("8480-6", "Systolic blood pressure"),
                    "valueQuantity": quantity(value[0], "mm[Hg]"),
                },
                {
                    "code": loinc("8462-4", "Diastolic blood pressure"),
                    "valueQuantity": quantity(value[1], "mm[Hg]"),
                },
            ]
            conv.add(obs)
    for w in workouts:
        start, end = _when(w.get("startDate")), _when(w.get("endDate"))
        if not start:
            continue
        sport = (w.get("workoutActivityType") or "activity").removeprefix("HKWorkoutActivityType")
        duration = _float(w.get("duration"))
        if duration is not None:
            duration *= DURATION_S.get(w.get("durationUnit") or "min", 60.0)
        distance = _float(w.get("totalDistance"))
        if distance is not None:
            factor = DISTANCE_M.get(w.get("totalDistanceUnit") or "")
            distance = distance * factor if factor else None
        energy = _float(w.get("totalEnergyBurned"))
        if (w.get("totalEnergyBurnedUnit") or "kcal") not in ("kcal", "Cal"):
            energy = None
        conv.add(
            activity_session(
                sport,
                start,
                end or start,
                duration_s=duration,
                distance_m=distance,
                energy_kcal=energy,
                note=w.get("sourceName") or "",  # the device, in the file's own words
            )
        )
    if skipped:
        conv.notes.append(
            "not imported (kept in the original): "
            + ", ".join(f"{n} × {k.removeprefix(HK)}" for k, n in skipped.most_common())
        )
        conv.left_out = [
            {"section": k.removeprefix(HK), "what": "entry", "count": n}
            for k, n in skipped.most_common()
        ]
    return conv


def _workout_heart_rates(conv: Conversion, hr_days: dict, workouts: list) -> None:
    """One heart rate during exercise per workout, from the samples taken during it (they
    leave the day's summary: a run's heart rate is never averaged into a day's)."""
    for w in workouts:
        start, end = _when(w.get("startDate")), _when(w.get("endDate"))
        if not start:
            continue
        end = max(end or start, start)
        during = []
        for n in range((end.date() - start.date()).days + 1):
            day = start.date() + timedelta(days=n)
            kept = []
            for t, v in hr_days.get(day, []):
                (during if start <= t <= end else kept).append((t, v))
            if day in hr_days:
                hr_days[day] = kept
        if during:
            during.sort(key=lambda s: s[0])
            conv.add(
                heart_rate_summary(
                    [v for _t, v in during],
                    start,
                    end,
                    exercise=True,
                )
            )


def _vital(code: str, display: str, when: datetime, value: dict | None) -> dict:
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": category("vital-signs", "Vital Signs"),
        "code": loinc(code, display, display),
        "effectiveDateTime": iso(when),
    }
    if value:
        obs["valueQuantity"] = value
    return obs


def _record(el, hr_days, steps, singles, bp_parts, skipped) -> None:
    rtype = el.get("type") or ""
    value = _float(el.get("value"))
    when = _when(el.get("startDate"))
    if value is None or when is None:
        skipped[rtype or "Record"] += 1
        return
    unit = el.get("unit") or ""
    if rtype == f"{HK}HeartRate" and unit in ("count/min", "") and 0 < value < 300:
        hr_days[when.date()].append((when, value))
    elif rtype == f"{HK}RestingHeartRate" and unit in ("count/min", "") and 0 < value < 300:
        singles.append(("resting", when, value))
    elif rtype == f"{HK}StepCount":
        steps[(when.date(), when.tzinfo)][el.get("sourceName") or ""] += value
    elif rtype == f"{HK}BodyMass" and unit in ("kg", "lb", "g"):
        kg = value * LB if unit == "lb" else (value / 1000 if unit == "g" else value)
        singles.append(("weight", when, kg))
    elif rtype == f"{HK}BodyMassIndex":
        singles.append(("bmi", when, value))
    elif rtype in (f"{HK}BloodPressureSystolic", f"{HK}BloodPressureDiastolic"):
        key = (el.get("startDate"), el.get("sourceName"))
        bp_parts[key]["sys" if rtype.endswith("Systolic") else "dia"] = value
        bp_parts[key]["when"] = when
    else:
        skipped[rtype or "Record"] += 1
