"""What the analytics copy keeps of an item, and nothing more: pure functions, no record access.

An age band (not a birth date), a sex, a département (not an address), an ISO week (not a
date), a code (not words) and a measurement's range (not its value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

CODED = {
    "Condition": ("code",),
    "MedicationRequest": ("medicationCodeableConcept",),
    "Immunization": ("vaccineCode",),
    "Observation": ("code",),
}
WHEN = {
    "Condition": ("onsetDateTime", "recordedDate"),
    "MedicationRequest": ("authoredOn",),
    "Immunization": ("occurrenceDateTime",),
    "Observation": ("effectiveDateTime", "issued"),
}
AGE_BANDS = ("0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+")
SEXES = ("female", "male", "other", "unknown")


@dataclass(frozen=True)
class Person:
    born: date | None
    sex: str
    departement: str


def age_band(born: date | None, on: date) -> str:
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 0:
        return ""
    return AGE_BANDS[min(age // 10, len(AGE_BANDS) - 1)]


def departement(postal_code: str) -> str:
    """The département of a French postal code ("31000" -> "31", Corsica 2A/2B, overseas 97x)."""
    pc = "".join(ch for ch in str(postal_code or "") if ch.isdigit())
    if len(pc) != 5:
        return ""
    if pc.startswith("97") or pc.startswith("98"):
        return pc[:3]
    if pc.startswith("20"):
        return "2A" if int(pc[:3]) < 202 else "2B"
    return pc[:2]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def bucket(value: object) -> str:
    """A measurement's range, about one significant digit wide ("100-150", "5-5.5")."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return ""
    if value == 0:
        return "0"
    width = 10 ** math.floor(math.log10(abs(value))) / 2
    low = math.floor(value / width) * width

    def fmt(x: float) -> str:
        return f"{x:.6g}"

    return f"{fmt(low)}-{fmt(low + width)}"


def day_of(value: object) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
