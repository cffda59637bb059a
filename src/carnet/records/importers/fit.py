"""Garmin/ANT FIT files (activities, daily monitoring, weight scales), read with fitdecode.

Aggregation, so that a record stays readable:

- each activity session (``session`` message; or, in a file cut before its summary, the
  span of its ``record`` messages) → one activity Observation (sport, period, duration,
  distance, energy) and one heart-rate Observation (LOINC 8867-4) whose value is the mean
  of the session's heart-rate samples, with minimum, maximum and sample count as
  components;
- heart-rate samples outside any session → one heart-rate summary per day (UTC);
- daily monitoring (``monitoring`` messages, cumulative per activity type through the
  day) → one step count per day (LOINC 55423-8): the sum over walking and running of
  each one's last cumulative count;
- each weight-scale measurement → one body weight Observation (LOINC 29463-7).

The file's CRC is checked: a damaged, truncated or corrupt file is refused as a whole.
A field whose declared size does not fit its type is read as bytes and ignored (as the
FIT SDK does), so that such device files still import.
"""

from __future__ import annotations

import io
import math
import warnings
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import fitdecode

from carnet.records.imports import ImportRefused

from .common import (
    Conversion,
    activity_session,
    category,
    heart_rate_summary,
    iso,
    loinc,
    quantity,
)

KIND = "fit"
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)


def _refusal(exc: Exception) -> ImportRefused:
    if isinstance(exc, fitdecode.FitCRCError):
        msg = "the FIT file is damaged: its checksum does not match its content"
    elif isinstance(exc, fitdecode.FitEOFError):
        msg = "the FIT file is truncated: it ends in the middle of its data"
    elif isinstance(exc, fitdecode.FitHeaderError):
        msg = "the FIT file is damaged: one of its headers is not a valid FIT header"
    else:
        msg = f"the FIT file is damaged and cannot be read ({str(exc)[:120]})"
    return ImportRefused(msg, reason="unreadable")


def _value(frame, name):
    if not frame.has_field(name):
        return None
    try:
        return frame.get_value(name, fallback=None)
    except (KeyError, ValueError, TypeError):
        return None


def read(data: bytes) -> dict:
    """The messages Carnet uses, as plain values; raises ImportRefused for a bad file."""
    out = {"records": [], "sessions": [], "monitoring": [], "weights": [], "sport": None}
    last_full: datetime | None = None
    offset = timedelta(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(
                io.BytesIO(data),
                check_crc=fitdecode.CrcCheck.ENABLED,
                error_handling=fitdecode.ErrorHandling.WARN,
            ) as reader:
                for frame in reader:
                    if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                        continue
                    name = frame.name
                    ts = _value(frame, "timestamp")
                    if isinstance(ts, datetime):
                        last_full = ts
                    if name == "record":
                        out["records"].append(
                            (ts, _value(frame, "heart_rate"), _value(frame, "distance"))
                        )
                    elif name == "session":
                        out["sessions"].append(
                            {
                                k: _value(frame, k)
                                for k in (
                                    "start_time",
                                    "timestamp",
                                    "total_elapsed_time",
                                    "total_timer_time",
                                    "total_distance",
                                    "total_calories",
                                    "sport",
                                    "sub_sport",
                                )
                            }
                        )
                    elif name == "sport" and out["sport"] is None:
                        out["sport"] = _value(frame, "sport")
                    elif name == "monitoring_info":
                        local = _value(frame, "local_timestamp")
                        if isinstance(local, datetime) and isinstance(ts, datetime):
                            offset = local - ts
                    elif name == "monitoring":
                        kind = _value(frame, "activity_type")
                        steps = _value(frame, "steps")
                        if steps is None and kind in ("walking", "running"):
                            cycles = _value(frame, "cycles")
                            steps = cycles * 2 if isinstance(cycles, int | float) else None
                        t16 = _value(frame, "timestamp_16")
                        when = ts if isinstance(ts, datetime) else None
                        if when is None and isinstance(t16, int) and last_full is not None:
                            base = int((last_full - FIT_EPOCH).total_seconds())
                            when = FIT_EPOCH + timedelta(
                                seconds=base + ((t16 - (base & 0xFFFF)) & 0xFFFF)
                            )
                        if steps is not None and when is not None:
                            out["monitoring"].append((when + offset, kind, float(steps)))
                    elif name == "weight_scale":
                        weight = _value(frame, "weight")
                        if isinstance(ts, datetime) and isinstance(weight, int | float):
                            out["weights"].append((ts, float(weight)))
    except fitdecode.FitError as exc:
        raise _refusal(exc) from None
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        raise _refusal(exc) from None
    return out


def _undated(conv: Conversion, msgs: dict, records: list) -> None:
    """Records with device-relative time only (seconds since power-on): one undated session."""
    session = next(iter(msgs["sessions"]), {})
    ticks = [t for t, _h, _d in records if isinstance(t, int)]
    distances = [d for _t, _h, d in records if isinstance(d, int | float)]
    elapsed = session.get("total_elapsed_time")
    if not isinstance(elapsed, int | float):
        elapsed = (max(ticks) - min(ticks)) if ticks else None
    sport = str(session.get("sport") or msgs["sport"] or "activity")
    conv.add(
        activity_session(
            sport,
            None,
            None,
            duration_s=session.get("total_timer_time") or elapsed,
            distance_m=session.get("total_distance") or (max(distances) if distances else None),
            energy_kcal=session.get("total_calories"),
        )
    )
    hrs = [float(hr) for _t, hr, _d in records if isinstance(hr, int | float) and hr > 0]
    if hrs:
        conv.add(
            heart_rate_summary(
                hrs,
                None,
                None,
                exercise=True,
            )
        )


def convert(data: bytes) -> Conversion:
    conv = Conversion(kind=KIND)
    msgs = read(data)
    undated = [r for r in msgs["records"] if not isinstance(r[0], datetime)]
    records = sorted((r for r in msgs["records"] if isinstance(r[0], datetime)), key=lambda r: r[0])
    if undated and not records:
        _undated(conv, msgs, undated)
    sessions = [s for s in msgs["sessions"] if isinstance(s.get("start_time"), datetime)]
    if not sessions and records:
        start, end = records[0][0], records[-1][0]
        distances = [d for _t, _h, d in records if isinstance(d, int | float)]
        sessions = [
            {
                "start_time": start,
                "timestamp": end,
                "total_elapsed_time": (end - start).total_seconds(),
                "total_distance": max(distances) if distances else None,
                "sport": msgs["sport"],
                "derived": True,
            }
        ]
    used = set()
    for s in sessions:
        start = s["start_time"]
        elapsed = s.get("total_elapsed_time")
        # The session ends at its own timestamp or after its elapsed time, whichever is
        # later (elapsed time is rounded down by some devices, dropping the last record).
        ends = [start]
        if isinstance(s.get("timestamp"), datetime):
            ends.append(s["timestamp"])
        if isinstance(elapsed, int | float):
            ends.append(start + timedelta(seconds=math.ceil(float(elapsed))))
        end = max(ends)
        sport = str(s.get("sport") or "activity")
        conv.add(
            activity_session(
                sport,
                start,
                end,
                duration_s=s.get("total_timer_time") or elapsed,
                distance_m=s.get("total_distance"),
                energy_kcal=s.get("total_calories"),
            )
        )
        hrs = []
        for i, (t, hr, _d) in enumerate(records):
            if start <= t <= end and isinstance(hr, int | float) and hr > 0:
                hrs.append(float(hr))
                used.add(i)
        if hrs:
            conv.add(
                heart_rate_summary(
                    hrs,
                    start,
                    end,
                    exercise=True,
                )
            )
    by_day: dict = defaultdict(list)
    for i, (t, hr, _d) in enumerate(records):
        if i not in used and isinstance(hr, int | float) and hr > 0:
            by_day[t.date()].append((t, float(hr)))
    for _day, samples in sorted(by_day.items()):
        conv.add(
            heart_rate_summary(
                [v for _t, v in samples],
                samples[0][0],
                samples[-1][0],
            )
        )
    steps_by_day: dict = defaultdict(dict)
    for when, kind, steps in msgs["monitoring"]:
        if kind in ("walking", "running"):
            day = steps_by_day[when.date()]
            day[kind] = max(day.get(kind, 0.0), steps)
    for day, kinds in sorted(steps_by_day.items()):
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        conv.add(
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category("activity", "Activity"),
                "code": loinc("55423-8", "Number of steps"),
                "effectivePeriod": {"start": iso(start), "end": iso(start + timedelta(days=1))},
                "valueQuantity": quantity(int(sum(kinds.values())), "steps", "{steps}"),
            }
        )
    for when, weight in msgs["weights"]:
        conv.add(
            {
                "resourceType": "Observation",
                "status": "final",
                "category": category("vital-signs", "Vital Signs"),
                "code": loinc("29463-7", "Body weight", "Weight"),
                "effectiveDateTime": iso(when),
                "valueQuantity": quantity(round(weight, 2), "kg", "kg"),
            }
        )
    if not conv.resources:
        conv.notes.append("a FIT file of settings, workouts or device data only")
    return conv
