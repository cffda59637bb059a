"""Garmin TCX activity files (TrainingCenterDatabase v2), read safely with defusedxml.

Aggregation: one activity Observation per activity (sport, period from the first lap's
start to the last trackpoint, total time, distance and energy summed over its laps) and
one heart-rate Observation per activity (mean of its trackpoints' heart rate, with
minimum, maximum and sample count as components).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .common import Conversion, activity_session, heart_rate_summary, local, parse_xml

KIND = "tcx"


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _children(el, name):
    return [c for c in el if local(c.tag) == name]


def _child_text(el, name):
    found = _children(el, name)
    return found[0].text if found else None


def convert(data: bytes) -> Conversion:
    root = parse_xml(data, "the TCX file")
    conv = Conversion(kind=KIND)
    activities = [a for acts in _children(root, "Activities") for a in _children(acts, "Activity")]
    for activity in activities:
        sport = activity.get("Sport") or "activity"
        laps = _children(activity, "Lap")
        start = _time(_child_text(activity, "Id")) or (
            _time(laps[0].get("StartTime")) if laps else None
        )
        total_time = sum(_float(_child_text(lap, "TotalTimeSeconds")) or 0 for lap in laps)
        distance = sum(_float(_child_text(lap, "DistanceMeters")) or 0 for lap in laps)
        calories = sum(_float(_child_text(lap, "Calories")) or 0 for lap in laps)
        times, hrs = [], []
        for tp in (el for el in activity.iter() if local(el.tag) == "Trackpoint"):
            t = _time(_child_text(tp, "Time"))
            if t:
                times.append(t)
            for hr in _children(tp, "HeartRateBpm"):
                v = _float(_child_text(hr, "Value"))
                if v and 0 < v < 300:
                    hrs.append(v)
        if start is None and times:
            start = min(times)
        if start is None:
            continue
        end = max(times) if times else start + timedelta(seconds=total_time)
        conv.add(
            activity_session(
                sport,
                start,
                end,
                duration_s=total_time or (end - start).total_seconds(),
                distance_m=distance or None,
                energy_kcal=calories or None,
            )
        )
        if hrs:
            conv.add(
                heart_rate_summary(
                    hrs,
                    start,
                    end,
                    exercise=True,
                )
            )
    return conv
