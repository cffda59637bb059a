"""Treatments: a daily intake schedule from each active prescription's dosage, and renewals.

The schedule reads FHIR Dosage/Timing: ``timeOfDay``, ``when`` (MORN, ACV…), or
``frequency``/``period``/``periodUnit`` spread over the day (with a hint from the dosage
text: "le soir" is the evening). "As needed" doses have no schedule. The renewal alert
comes before the prescription runs out: the end of ``dispenseRequest.validityPeriod`` or
of the supply (``expectedSupplyDuration`` × (1 + repeats)), whichever comes first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from carnet.records import words

from . import rules
from .base import DONE, DUE, OVERDUE, UPCOMING, Reminder
from .record import Snapshot, local_date

DURATION_DAYS = {"min": 1 / 1440, "h": 1 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def spec() -> dict:
    return rules.programmes()["treatments"]


@dataclass
class Treatment:
    id: str
    name: str
    dosage: str
    times: list[dt.time] = field(default_factory=list)
    as_needed: bool = False
    every_days: int = 1  # 1: every day; 7: once a week…
    weekdays: list[int] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None  # prescription runs out
    silenced: bool = False  # the person turned this treatment's intake alerts off

    @property
    def scheduled(self) -> bool:
        return bool(self.times) and not self.as_needed

    def on_day(self, day: dt.date) -> bool:
        if not self.scheduled:
            return False
        if self.start and day < self.start:
            return False
        if self.end and day > self.end:
            return False
        if self.weekdays:
            return day.weekday() in self.weekdays
        if self.every_days > 1 and self.start:
            return (day - self.start).days % self.every_days == 0
        return True

    def slots(self, day: dt.date) -> list[dt.datetime]:
        """The intake times of ``day`` as aware datetimes in the server's time zone."""
        if not self.on_day(day):
            return []
        tz = timezone.get_current_timezone()
        return [dt.datetime.combine(day, t, tzinfo=tz) for t in self.times]


def _hm(value: str) -> dt.time:
    parts = [int(p) for p in value.split(":")[:2]]
    return dt.time(parts[0] % 24, parts[1] if len(parts) > 1 else 0)


def _name(snap: Snapshot, req: dict) -> str:
    """A medicine's name as every page of the record gives it (``records.words``); a
    prescription naming it by reference is named by that Medication's code."""
    if not req.get("medicationCodeableConcept"):
        ref = (req.get("medicationReference") or {}).get("reference") or ""
        rid = ref.rsplit("/", 1)[-1].lstrip("#")
        meds = snap.of("Medication") + [
            c for c in req.get("contained") or [] if c.get("resourceType") == "Medication"
        ]
        med = next((m for m in meds if m.get("id") == rid), {})
        if med.get("code") and words.label(med["code"]):
            return str(words.label(med["code"]))
    title = words.title(req)
    return "?" if title.generic else str(title)


def _times(dosage: dict) -> tuple[list[dt.time], int, list[int], bool]:
    """(times of day, every N days, weekdays, as needed)."""
    s = spec()
    as_needed = bool(dosage.get("asNeededBoolean") or dosage.get("asNeededCodeableConcept"))
    repeat = (dosage.get("timing") or {}).get("repeat") or {}
    text = (dosage.get("text") or "").lower()
    weekdays = [WEEKDAYS.index(d) for d in repeat.get("dayOfWeek") or [] if d in WEEKDAYS]
    if repeat.get("timeOfDay"):
        return sorted({_hm(t) for t in repeat["timeOfDay"]}), 1, weekdays, as_needed
    if repeat.get("when"):
        times = sorted({_hm(s["when_times"][w]) for w in repeat["when"] if w in s["when_times"]})
        return times, 1, weekdays, as_needed
    freq = int(repeat.get("frequency") or 1)
    period = float(repeat.get("period") or 1)
    unit = repeat.get("periodUnit") or "d"
    if not repeat:
        return [], 1, weekdays, as_needed
    if unit in ("h", "min"):
        hours = period if unit == "h" else period / 60
        per_day = max(1, min(24, round(24 * freq / hours)))
        step = 24 / per_day
        start = 8.0 if per_day <= 4 else 6.0
        times = sorted({_clock(start + i * step) for i in range(per_day)})
        return times, 1, weekdays, as_needed
    days = period * DURATION_DAYS.get(unit, 1)
    if days <= 1:
        per_day = max(1, round(freq / max(days, 1e-9)))
        table = s["per_day_times"]
        if str(per_day) in table:
            times = [_hm(t) for t in table[str(per_day)]]
        else:
            times = sorted({_clock(7 + i * 15 / per_day) for i in range(per_day)})
        if per_day == 1:
            for clock, words in s["words"].items():
                if any(w in text for w in words):
                    times = [_hm(clock)]
                    break
        return times, 1, weekdays, as_needed
    # Less than daily: once on every Nth day (or on the given weekdays).
    every = max(1, round(days / max(freq, 1)))
    return [_hm(s["per_day_times"]["1"][0])], every, weekdays, as_needed


def _clock(hours: float) -> dt.time:
    minutes = int(round(hours * 60)) % (24 * 60)
    return dt.time(minutes // 60, minutes % 60)


def _end(req: dict, start: dt.date | None) -> dt.date | None:
    disp = req.get("dispenseRequest") or {}
    ends = []
    validity = disp.get("validityPeriod") or {}
    if validity.get("end"):
        end = local_date(validity["end"])
        if end:
            ends.append(end)
    supply = disp.get("expectedSupplyDuration") or {}
    if supply.get("value") and start:
        unit = supply.get("code") or supply.get("unit") or "d"
        days = float(supply["value"]) * DURATION_DAYS.get(unit, 1)
        repeats = int(disp.get("numberOfRepeatsAllowed") or 0)
        ends.append(start + dt.timedelta(days=round(days * (1 + repeats))))
    bounds = (
        ((req.get("dosageInstruction") or [{}])[0].get("timing") or {}).get("repeat") or {}
    ).get("boundsPeriod") or {}
    if bounds.get("end"):
        end = local_date(bounds["end"])
        if end:
            ends.append(end)
    return min(ends) if ends else None


def active(snap: Snapshot) -> list[Treatment]:
    """The person's active prescriptions, each with its daily schedule."""
    out = []
    for req in snap.of("MedicationRequest"):
        if req.get("status") != "active" or req.get("intent") in ("proposal", "plan"):
            continue
        dosage = (req.get("dosageInstruction") or [{}])[0]
        times, every, weekdays, as_needed = _times(dosage)
        validity = (req.get("dispenseRequest") or {}).get("validityPeriod") or {}
        start = local_date(validity.get("start") or req.get("authoredOn") or "")
        out.append(
            Treatment(
                id=req.get("id", ""),
                name=_name(snap, req),
                dosage=dosage.get("text") or "",
                times=times,
                as_needed=as_needed,
                every_days=every,
                weekdays=weekdays,
                start=start,
                end=_end(req, start),
            )
        )
    return sorted(out, key=lambda t: t.name.lower())


RENEWAL_AFTER_END_DAYS = 90  # a renewal alert stays this long after the end, then the list review


def renewal_shown(t: Treatment, on: dt.date) -> bool:
    """Whether the prescription has its own renewal alert as of ``on`` (one per prescription)."""
    return t.end is not None and on <= t.end + dt.timedelta(days=RENEWAL_AFTER_END_DAYS)


def ended_without_renewal_alert(treatments: list[Treatment], on: dt.date) -> list[Treatment]:
    """Prescriptions past their end whose renewal alert is over: the list review asks instead."""
    return [t for t in treatments if t.end and t.end < on and not renewal_shown(t, on)]


def renewals(treatments: list[Treatment], on: dt.date, asked=None) -> list[Reminder]:
    """One alert per prescription that runs out: due ``renewal_lead_days`` before its end;
    done once its renewal is asked (``asked``: treatment id -> the day it was asked)."""
    asked = asked or {}
    s = spec()
    lead = dt.timedelta(days=s["renewal_lead_days"])
    out = []
    for t in treatments:
        if t.end is None:
            continue
        ask_from = t.end - lead
        status = UPCOMING if on < ask_from else (DUE if on <= t.end else OVERDUE)
        asked_on = asked.get(t.id)
        if asked_on is not None:
            status = DONE
        if not renewal_shown(t, on):
            continue  # long over: the stale-data prompt asks to review the list instead
        out.append(
            Reminder(
                kind="renewal",
                rule=f"{s['id']}/renewal",
                key=f"renewal:{t.id}:{t.end.isoformat()}",
                title=t.name,
                why=_(
                    "%(source)s: the prescription of %(name)s ends on %(date)s; ask for its "
                    "renewal in time."
                )
                % {"source": s["source"], "name": t.name, "date": date_format(t.end)},
                source=s["source"],
                version=s["version"],
                due=ask_from,
                status=status,
                extra={"request": t.id, "ends": t.end.isoformat()},
                reason=rules.text(s.get("reason")),
                until=t.end,
                done_on=asked_on,
            )
        )
    return out
