"""GPX tracks (with Garmin's heart-rate extension), read with gpxpy.

Aggregation: one activity Observation per track (type or name, period from the first to
the last timed point, distance along the track) and one heart-rate Observation per track
(mean of the heart-rate samples of its points, with minimum, maximum and sample count as
components). GPS points themselves are not stored as resources: the original file is
kept.

The XML is first checked with defusedxml (no entity, nothing external) before gpxpy
reads it.
"""

from __future__ import annotations

import gpxpy
import gpxpy.gpx

from carnet.records.imports import ImportRefused

from .common import Conversion, activity_session, heart_rate_summary, local, parse_xml

KIND = "gpx"


def _heart_rate(point) -> float | None:
    for ext in point.extensions or []:
        for el in ext.iter():
            if local(el.tag) in ("hr", "heartrate", "HeartRateBpm") and el.text:
                try:
                    v = float(el.text.strip())
                except ValueError:
                    continue
                if 0 < v < 300:
                    return v
    return None


def convert(data: bytes) -> Conversion:
    parse_xml(data, "the GPX file")  # safety first: refuses entities and broken XML
    try:
        doc = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise ImportRefused(
            f"the GPX file cannot be read ({str(exc)[:120]})", reason="unreadable"
        ) from None
    conv = Conversion(kind=KIND)
    for n, track in enumerate(doc.tracks, start=1):
        points = [p for seg in track.segments for p in seg.points if p.time is not None]
        if not points:
            continue
        points.sort(key=lambda p: p.time)
        start, end = points[0].time, points[-1].time
        label = track.type or track.name or f"track {n}"
        distance = track.length_3d() or track.length_2d()
        conv.add(
            activity_session(
                str(label)[:100],
                start,
                end,
                duration_s=(end - start).total_seconds(),
                distance_m=distance,
                note=track.name or "",  # the person's own name for the track, if any
            )
        )
        hrs = [v for v in (_heart_rate(p) for p in points) if v is not None]
        if hrs:
            conv.add(
                heart_rate_summary(
                    hrs,
                    start,
                    end,
                    exercise=True,
                )
            )
    if not conv.resources:
        conv.notes.append("a GPX file with no timed track point")
    return conv
