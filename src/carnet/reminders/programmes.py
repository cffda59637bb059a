"""Follow-up programmes as data (pregnancy, type 2 diabetes): which are active, their steps.

A programme starts from a Condition in the record (a pregnancy, a type 2 diabetes) or
because the person started it (a pregnancy with its declared start date). Each step is
done when a matching result, document or appointment appears in the record (by codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import rules
from .base import DONE, DUE, OVERDUE, UPCOMING, Reminder, status_for
from .record import Snapshot, local_date, tokens

LMP = "http://loinc.org|8665-2"
EDD = "http://loinc.org|11778-8"


@dataclass
class Active:
    programme: dict
    start: date
    origin: str  # "condition" or "person"

    @property
    def id(self) -> str:
        return self.programme["id"]

    @property
    def title(self) -> str:
        return rules.text(self.programme["title"])


def by_id(programme_id: str) -> dict | None:
    return next((p for p in rules.programmes()["programmes"] if p["id"] == programme_id), None)


def _value_date(obs: dict) -> date | None:
    return local_date(obs.get("valueDateTime") or "") if obs.get("valueDateTime") else None


def pregnancy_start(snap: Snapshot, condition: dict | None) -> date | None:
    """First day of the last period: declared LMP, else due date − 280 days, else onset − 14 days."""
    for code, shift in ((LMP, 0), (EDD, -280)):
        found = [
            (snap.dated(o) or date.min, _value_date(o))
            for o in snap.of("Observation")
            if code in tokens(o.get("code")) and _value_date(o)
        ]
        if found:
            return max(found)[1] + timedelta(days=shift)
    if condition is not None:
        onset = local_date(condition.get("onsetDateTime") or condition.get("recordedDate") or "")
        if onset:
            return onset - timedelta(days=14)
    return None


def offered(prog: dict, snap: Snapshot, on: date) -> bool:
    """Whether a programme can apply to this person, so that it may be offered to start.

    A trigger condition in the record (a pregnancy, a diabetes) always makes it apply;
    otherwise its ``offer`` says to whom: a sex and an age window (a pregnancy is not
    offered to a man, nor at 84), or nobody without the condition (``condition``)."""
    if snap.has_condition(prog["triggers"]) is not None:
        return True
    offer = prog.get("offer") or {}
    if offer.get("condition"):
        return False
    if "sex" in offer and snap.sex not in offer["sex"]:
        return False
    birth = snap.birth_date
    if birth is not None:
        if "age_from" in offer and on < rules.add_age(birth, offer["age_from"]):
            return False
        if "age_before" in offer and on >= rules.add_age(birth, offer["age_before"]):
            return False
    return True


def active(snap: Snapshot, enrolments: dict[str, dict], on: date) -> list[Active]:
    """The programmes that apply as of ``on``; ``enrolments`` are the person's own choices."""
    out = []
    for prog in rules.programmes()["programmes"]:
        chosen = enrolments.get(prog["id"])
        if chosen and chosen.get("status") == "stopped":
            continue
        if chosen and chosen.get("start"):
            start, origin = date.fromisoformat(chosen["start"]), "person"
        else:
            cond = snap.has_condition(prog["triggers"])
            if cond is None:
                continue
            if prog["start"] == "lmp":
                start = pregnancy_start(snap, cond)
            else:
                start = local_date(cond.get("onsetDateTime") or cond.get("recordedDate") or "")
            start, origin = start or on, "condition"
        if start > on:
            continue
        ends = prog.get("ends_after_weeks")
        if ends and on > start + timedelta(weeks=ends):
            continue
        out.append(Active(prog, start, origin))
    return out


def _reminder(prog: Active, step: dict, suffix: str, due, status, **kw) -> Reminder:
    p = prog.programme
    label = rules.text(step["label"])
    return Reminder(
        kind="programme",
        rule=f"{rules.programmes()['id']}/{p['id']}/{step['id']}",
        key=f"programme:{p['id']}:{prog.start.isoformat()}:{step['id']}:{suffix}",
        title=label,
        why=f"{prog.title} ({p['source']}) : {label}",
        source=p["source"],
        version=p["version"],
        due=due,
        status=status,
        suggestion=bool(step.get("suggestion")),
        extra={"programme": p["id"]},
        plain=rules.text(step.get("plain")),
        reason=rules.text(p.get("reason")),
        **kw,
    )


@dataclass(frozen=True)
class Booking:
    """A care appointment of the person: its day and the words of its type (« Fond d'œil »)."""

    id: str
    day: date
    words: str  # folded (rules.fold_words)


def _booked_for(step: dict, bookings, used: set[str]) -> list[Booking]:
    """The bookings whose type names this step (its ``booking`` words), not used by another."""
    wanted = [rules.fold_words(w) for w in step.get("booking") or []]
    return [
        b
        for b in bookings
        if b.id not in used and any(f" {w} " in f" {b.words} " for w in wanted if w)
    ]


def steps(prog: Active, snap: Snapshot, on: date, bookings=()) -> list[Reminder]:
    """Every step of an active programme as of ``on``; a matching booking ticks a step."""
    out: list[Reminder] = []
    start = prog.start
    used: set[str] = set()
    since_start = prog.programme["start"] == "lmp"
    for step in prog.programme["steps"]:
        kind = step["kind"]
        if kind == "once":
            w_from = start + timedelta(weeks=step["from"])
            w_until = start + timedelta(weeks=step["until"])
            w_early = start + timedelta(weeks=step["from"] - step.get("early", 0))
            found = [
                (d, r)
                for d, r in snap.matching(step["match"])
                if w_early <= d < w_until and d <= on and r.get("id") not in used
            ]
            booked = [b for b in _booked_for(step, bookings, used) if w_early <= b.day < w_until]
            if found:
                d, r = found[0]
                used.add(r.get("id"))
                out.append(_reminder(prog, step, "", w_from, DONE, done_on=d))
            elif booked:
                used.add(booked[0].id)
                out.append(_reminder(prog, step, "", w_from, DONE, booked_on=booked[0].day))
            else:
                status = status_for(on, w_from, w_until)
                out.append(_reminder(prog, step, "", w_from, status, until=w_until))
        elif kind == "recurring":
            matched = [d for d, _ in snap.matching(step["match"]) if d <= on]
            booked = _booked_for(step, bookings, used)
            matched = sorted(matched + [b.day for b in booked if b.day <= on])
            if since_start:
                matched = [d for d in matched if d >= start]
            last = matched[-1] if matched else None
            base = last or start
            due = base + timedelta(weeks=step["every"]) if last else start
            overdue = base + timedelta(weeks=step["overdue_after"])
            if "until" in step and due > start + timedelta(weeks=step["until"]):
                continue
            coming = [b for b in booked if b.day > on]
            if last and due > on:
                out.append(_reminder(prog, step, due.isoformat(), due, UPCOMING, done_on=last))
            elif coming:
                used.add(coming[0].id)
                out.append(
                    _reminder(
                        prog, step, due.isoformat(), due, DONE, done_on=last,
                        booked_on=coming[0].day,
                    )
                )  # fmt: skip
            else:
                status = OVERDUE if on >= overdue else DUE
                out.append(
                    _reminder(prog, step, due.isoformat(), due, status, done_on=last, until=overdue)
                )
        elif kind == "date":
            day = start + timedelta(weeks=step["at"], days=step.get("offset_days", 0))
            out.append(_reminder(prog, step, "", day, UPCOMING if on < day else DUE))
    return out


def compute(snap: Snapshot, enrolments: dict[str, dict], on: date, bookings=()) -> list[Reminder]:
    out: list[Reminder] = []
    for prog in active(snap, enrolments, on):
        out += steps(prog, snap, on, bookings)
    return out


def lmp_of(snap: Snapshot, enrolments: dict[str, dict], on: date) -> date | None:
    for prog in active(snap, enrolments, on):
        if prog.id == "pregnancy":
            return prog.start
    return None
