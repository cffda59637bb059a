"""Readable results: a value with its unit, the usual range, a plain-language label, a
practitioner's comment first, and a chart of the same measure over time.

Everything here works on resources already read through ``records.services`` (which
asks ``access``). The chart is inline SVG drawn on the server: no script, no CDN, and a
data table beside it for people who do not see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import dates, fhir, words
from .models import Source

IN_RANGE, ABOVE, BELOW, UNKNOWN = "in", "above", "below", ""
LABELS = {
    IN_RANGE: _("within the usual range"),
    ABOVE: _("above the usual range"),
    BELOW: _("below the usual range"),
}
# FHIR interpretation codes (v3-ObservationInterpretation) when no range is given.
INTERPRETATION_CODES = {
    "N": IN_RANGE,
    "H": ABOVE,
    "HH": ABOVE,
    "HU": ABOVE,
    ">": ABOVE,
    "L": BELOW,
    "LL": BELOW,
    "LU": BELOW,
    "<": BELOW,
}
PRACTITIONER_AUTHORS = ("Practitioner/", "PractitionerRole/", "Organization/")


def _value(q) -> float | None:
    if isinstance(q, dict) and isinstance(q.get("value"), int | float):
        return float(q["value"])
    return None


def usual_range(resource: dict) -> dict | None:
    """The first reference range: low, high (numbers or None) and how to say it."""
    for rr in resource.get("referenceRange") or []:
        if not isinstance(rr, dict):
            continue
        low, high = _value(rr.get("low")), _value(rr.get("high"))
        bound = rr.get("low") or rr.get("high") or {}
        unit = words.unit(bound.get("code") or bound.get("unit") or "", high or low)
        if low is not None and high is not None:
            text = f"{words.number(low)} – {words.number(high)} {unit}".strip()
        elif low is not None:
            text = f"≥ {words.number(low)} {unit}".strip()
        elif high is not None:
            text = f"≤ {words.number(high)} {unit}".strip()
        else:
            text = str(rr.get("text") or "")
        if text:
            return {"low": low, "high": high, "text": text}
    return None


def position(resource: dict) -> str:
    """Where the value stands: IN_RANGE, ABOVE, BELOW, or UNKNOWN (nothing to compare with)."""
    value = _value(resource.get("valueQuantity"))
    rng = usual_range(resource)
    if value is not None and rng and (rng["low"] is not None or rng["high"] is not None):
        if rng["high"] is not None and value > rng["high"]:
            return ABOVE
        if rng["low"] is not None and value < rng["low"]:
            return BELOW
        return IN_RANGE
    for concept in resource.get("interpretation") or []:
        for coding in (concept or {}).get("coding") or []:
            found = INTERPRETATION_CODES.get(str(coding.get("code", "")).upper())
            if found:
                return found
    return UNKNOWN


def _author_kind(note: dict) -> str:
    ref = (note.get("authorReference") or {}).get("reference") or ""
    if ref.startswith(PRACTITIONER_AUTHORS):
        return "practitioner"
    if ref.startswith(("Patient/", "RelatedPerson/")):
        return "person"
    return ""


def comments(resource: dict, first_source: str | None) -> tuple[list[dict], list[dict]]:
    """(the care team's comments, the person's own notes) on an item.

    A note is the care team's when its author is a practitioner or an organisation, or,
    without an author, when the item itself did not come from the person (a lab's or a
    doctor's result, an imported report). Interpretation text counts as a comment.
    A note without an author on an imported item is marked ``from_file``: the page says it
    comes from the file (a watch's « heart rate over the day » is nobody's comment).
    """
    pro, mine = [], []
    from_person = first_source == Source.SELF
    imported = first_source == Source.IMPORT
    for note in resource.get("note") or []:
        if not isinstance(note, dict) or not note.get("text"):
            continue
        kind = _author_kind(note)
        entry = {
            "text": str(note["text"]),
            "author": (note.get("authorReference") or {}).get("display")
            or note.get("authorString")
            or "",
            "time": dates.instant(note.get("time")),
            "from_file": imported and not kind,
        }
        if kind == "practitioner" or (not kind and not from_person):
            if words.repeats_value(entry["text"], resource):
                continue  # a document's narrative saying the value again is not a comment
            pro.append(entry)
        else:
            mine.append(entry)
    if not from_person:
        for concept in resource.get("interpretation") or []:
            text = (concept or {}).get("text")
            if text:
                pro.insert(
                    0, {"text": str(text), "author": "", "time": None, "from_file": imported}
                )
    return pro, mine


def from_file(entries: list[dict]) -> bool:
    """True when every comment shown comes from an imported file, none from a named person."""
    return bool(entries) and all(e.get("from_file") for e in entries)


def code_key(resource: dict) -> str | None:
    """The measure an observation is of ("system|code"), to find the same measure over time."""
    code = resource.get("code") or {}
    for coding in code.get("coding") or []:
        if isinstance(coding, dict) and coding.get("code"):
            system = coding.get("system") or ""
            return f"{system}|{coding['code']}" if system else str(coding["code"])
    return None


# --- The chart --------------------------------------------------------------------------------

W, H = 420, 240
PAD_L, PAD_R, PAD_T, PAD_B = 48, 14, 14, 40


@dataclass
class Point:
    when: object
    value: float
    text: str
    position: str
    current: bool = False


def component_series(
    resources: list[dict], current_id: str, codes: tuple[str, str]
) -> tuple[list[Point], list[Point]]:
    """Two series of a measure with components (a blood pressure's systolic and diastolic,
    found by their LOINC codes, never by position), oldest first. Each point's text is the
    whole value as a person reads it (« 121/86 mmHg »), for the table beside the chart."""
    first, second = [], []
    for r in resources:
        a, b = words.pair(r, *codes)
        when = fhir.clinical_date(r)
        if a is None or b is None or when is None:
            continue
        when = timezone.localtime(when)
        text, here = words.value(r), r.get("id") == current_id
        first.append(Point(when=when, value=a, text=text, position=UNKNOWN, current=here))
        second.append(Point(when=when, value=b, text=text, position=UNKNOWN, current=here))
    first.sort(key=lambda p: p.when)
    second.sort(key=lambda p: p.when)
    return first, second


def series_points(resources: list[dict], current_id: str) -> list[Point]:
    """Numeric values of one measure, oldest first (components are left out)."""
    out = []
    for r in resources:
        context = words.measure_code(r)
        v = _value(r.get("valueQuantity"))
        when = fhir.clinical_date(r)
        if v is None or when is None:
            continue
        out.append(
            Point(
                when=timezone.localtime(when),
                value=v,
                text=words.quantity(r["valueQuantity"], context),
                position=position(r),
                current=r.get("id") == current_id,
            )
        )
    out.sort(key=lambda p: p.when)
    return out


def chart(points: list[Point], rng: dict | None, second: list[Point] = ()) -> dict | None:
    """Coordinates of an SVG line chart (viewBox W×H), with the usual range as a band;
    ``second``: a second line on the same scales (a blood pressure's diastolic values).

    Coordinates are strings written for the SVG (``words.coordinate``: a dot, whatever the
    page's language); the tick labels are for people (``number``: « 51,6 » in French).
    """
    if len(points) < 2:
        return None
    values = [p.value for p in (*points, *second)]
    lo, hi = min(values), max(values)
    if rng:
        lo = min(lo, *(v for v in (rng["low"], rng["high"]) if v is not None))
        hi = max(hi, *(v for v in (rng["low"], rng["high"]) if v is not None))
    span = (hi - lo) or abs(hi) or 1.0
    lo, hi = lo - span * 0.1, hi + span * 0.1
    t0 = points[0].when.timestamp()
    t1 = points[-1].when.timestamp()
    tspan = (t1 - t0) or 1.0
    iw, ih = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(p):
        return words.coordinate(PAD_L + (p.when.timestamp() - t0) / tspan * iw)

    def y(v):
        return words.coordinate(PAD_T + (hi - v) / (hi - lo) * ih)

    def ys(v):
        return PAD_T + (hi - v) / (hi - lo) * ih

    dots = [
        {"x": x(p), "y": y(p.value), "p": p, "out": p.position in (ABOVE, BELOW)} for p in points
    ]
    second_dots = [{"x": x(p), "y": y(p.value), "p": p, "out": False} for p in second]
    band = None
    if rng and (rng["low"] is not None or rng["high"] is not None):
        top = ys(rng["high"]) if rng["high"] is not None else PAD_T
        bottom = ys(rng["low"]) if rng["low"] is not None else PAD_T + ih
        band = {
            "x": words.coordinate(PAD_L),
            "y": words.coordinate(top),
            "w": words.coordinate(iw),
            "h": words.coordinate(bottom - top),
        }
    ticks = []
    for frac in (0, 0.5, 1):
        v = lo + (hi - lo) * (1 - frac)
        ticks.append({"y": words.coordinate(PAD_T + frac * ih), "label": words.number(round(v, 1))})
    return {
        "w": W,
        "h": H,
        "left": PAD_L,
        "tick_x": PAD_L - 6,
        "right": W - PAD_R,
        "bottom": PAD_T + ih,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "second_line": " ".join(f"{d['x']},{d['y']}" for d in second_dots),
        "dots": dots + second_dots,
        "band": band,
        "ticks": ticks,
        "first": points[0],
        "last": points[-1],
        "label_y": H - 12,
    }


def result_context(resource: dict, series: list[dict], first_source: str | None) -> dict:
    """What the result block of an item page shows."""
    pro, mine = comments(resource, first_source)
    rng = usual_range(resource)
    pos = position(resource)
    points, second = series_points(series, resource.get("id", "")), []
    pair = next((p for p in words.PAIRS if words.pair(resource, *p) != (None, None)), None)
    if pair is not None and not points:  # a blood pressure: its systolic and diastolic lines
        points, second = component_series(series, resource.get("id", ""), pair)
    return {
        "name": words.label(resource.get("code")),
        "position": pos,
        "position_label": LABELS.get(pos, ""),
        "range": rng,
        "pro_comments": pro,
        "comments_from_file": from_file(pro),
        "my_notes": mine,
        "points": points,
        "chart": chart(points, rng, second),
        "two_lines": bool(second),
        "is_lab": "laboratory" in {c for _s, c in _categories(resource)},
    }


def _categories(resource: dict):
    for concept in resource.get("category") or []:
        for coding in (concept or {}).get("coding") or []:
            if isinstance(coding, dict) and coding.get("code"):
                yield coding.get("system") or "", coding["code"]
