"""The vaccination rules engine: the calendar (data) over birth date, sex, pregnancy and history.

For each rule it says what is up to date, due, overdue or upcoming as of a date, with the
catch-up logic of the calendar: a series shows only its next missing dose, dated from the
recommended age or the minimum interval after the previous dose; a missed adult booster is
due at once and the next one keeps to the age schedule (25, 45, 65), then every ten years
after the last dose from 65 on.
"""

from __future__ import annotations

from datetime import date, timedelta

from . import rules
from .base import DONE, DUE, OVERDUE, UPCOMING, Reminder, status_for
from .record import Snapshot


def _doses(history: list[tuple[date, set[str]]], antigen: str) -> list[date]:
    return [d for d, antigens in history if antigen in antigens]


def _why(cal: dict, label: str) -> str:
    return f"{rules.text(cal['title'])} : {label}"


def _reminder(cal, rule, key_suffix, title, why_label, due, status, **kw) -> Reminder:
    return Reminder(
        kind="vaccination",
        rule=f"{cal['id']}/{rule['id']}",
        key=f"vaccination:{rule['id']}:{key_suffix}",
        title=title,
        why=_why(cal, why_label),
        source=cal["source"],
        version=cal["version"],
        due=due,
        status=status,
        suggestion=bool(rule.get("suggestion")),
        reason=rules.text(rule.get("reason") or cal.get("reason")),
        **{"plain": rules.text(rule.get("plain")), **kw},
    )


def _eligible(rule, snap: Snapshot, birth: date, on: date, lmp: date | None) -> bool:
    e = rule.get("eligible") or {}
    if "age_from" in e and on < rules.add_age(birth, e["age_from"]) - timedelta(days=365):
        return False
    if "age_before" in e and on >= rules.add_age(birth, e["age_before"]):
        return False
    if e.get("pregnant") and lmp is None:
        return False
    if "conditions" in e:
        group = rules.calendar()["condition_groups"][e["conditions"]]
        if snap.has_condition(group["codes"]) is None:
            return False
    if "sex" in rule and snap.sex != rule["sex"]:
        return False
    if "born_from" in rule and birth < date.fromisoformat(rule["born_from"]):
        return False
    return True


def _series(cal, rule, history, birth, on) -> list[Reminder]:
    counts_from = rules.add_age(birth, rule.get("counts_from", "0d"))
    counts_until = rules.add_age(birth, rule["counts_until"]) if "counts_until" in rule else None
    given = [
        d
        for d in _doses(history, rule["antigen"])
        if counts_from <= d and (counts_until is None or d < counts_until) and d <= on
    ]
    doses = rule["doses"]
    vaccine = rules.text(rule["vaccine"])
    if len(given) >= len(doses):
        last = doses[-1]
        return [
            _reminder(
                cal,
                rule,
                f"{len(doses)}",
                f"{vaccine} — {rules.text(last['label'])}",
                f"{vaccine}, {rules.text(last['label'])}",
                given[len(doses) - 1],
                DONE,
                done_on=given[len(doses) - 1],
            )
        ]
    if "catch_up_until" in rule and on >= rules.add_age(birth, rule["catch_up_until"]):
        return []  # past the age of catch-up: the calendar no longer asks for it
    n = len(given)
    spec = doses[n]
    due = rules.add_age(birth, spec["age"])
    if n > 0 and spec.get("min_interval"):
        due = max(due, rules.add_age(given[n - 1], spec["min_interval"]))
    until = rules.add_age(birth, spec["until"]) if "until" in spec else None
    if until is not None and due >= until:
        # A catch-up dose, later than the calendar's age: it has a month of its own.
        until = rules.add_age(due, "1m")
    label = rules.text(spec["label"])
    return [
        _reminder(
            cal,
            rule,
            f"{n + 1}",
            f"{vaccine} — {label}",
            f"{vaccine}, {label}",
            due,
            status_for(on, due, until),
            until=until,
        )
    ]


def _milestones(cal, rule, history, birth, on) -> list[Reminder]:
    tolerance, window = rule["tolerance"], rule["window"]
    every_from = rules.add_age(birth, rule["every_after"])
    out: list[Reminder] = []
    ms = [(rules.add_age(birth, m["age"]), m) for m in rule["milestones"]]

    def label_of(m):
        return rules.text(m["label"])

    def vaccine_of(m):
        return rules.text(m.get("vaccine") or rule["vaccine"])

    def plain_of(m) -> dict:
        return {"plain": rules.text(m["plain"])} if m.get("plain") else {}

    if on < every_from:
        current = None
        for when, m in ms:
            if when <= on and when < every_from:
                late = m.get("catch_up_until")
                if late is None or on < rules.add_age(birth, late):
                    current = (when, m)
        if current:
            when, m = current
            since = _minus(when, tolerance)
            given = [d for d in _doses(history, m["antigen"]) if since <= d <= on]
            out.append(
                _reminder(
                    cal,
                    rule,
                    m["age"],
                    f"{vaccine_of(m)} — {label_of(m)}",
                    label_of(m),
                    when,
                    DONE if given else status_for(on, when, rules.add_age(when, window)),
                    done_on=given[-1] if given else None,
                    until=rules.add_age(when, window),
                    **plain_of(m),
                )
            )
        upcoming = next(((w, m) for w, m in ms if w > on), None)
        if upcoming:
            when, m = upcoming
            out.append(
                _reminder(
                    cal,
                    rule,
                    m["age"],
                    f"{vaccine_of(m)} — {label_of(m)}",
                    label_of(m),
                    when,
                    UPCOMING,
                    until=rules.add_age(when, window),
                    **plain_of(m),
                )
            )
        return out
    # From 65 on: every ten years after the last dose given from (about) 65.
    since = _minus(every_from, tolerance)
    given = [d for d in _doses(history, "tetanus") if since <= d <= on]
    last_m = ms[-1][1]
    if not given:
        return [
            _reminder(
                cal,
                rule,
                last_m["age"],
                f"{vaccine_of(last_m)} — {label_of(last_m)}",
                label_of(last_m),
                every_from,
                status_for(on, every_from, rules.add_age(every_from, window)),
                until=rules.add_age(every_from, window),
                **plain_of(last_m),
            )
        ]
    nxt = rules.add_age(given[-1], rule["every"])
    every_label = rules.text(rule["every_label"])
    title = f"{rules.text(rule['vaccine'])} — {every_label}"
    if nxt > on:
        out.append(
            _reminder(
                cal,
                rule,
                f"done:{given[-1].isoformat()}",
                title,
                every_label,
                given[-1],
                DONE,
                done_on=given[-1],
            )
        )
    out.append(
        _reminder(
            cal,
            rule,
            f"every:{nxt.isoformat()}",
            title,
            every_label,
            nxt,
            status_for(on, nxt, rules.add_age(nxt, window)),
            until=rules.add_age(nxt, window),
        )
    )
    return out


def _minus(day: date, age: str) -> date:
    n, unit = rules.parse_age(age)
    months = n if unit == "m" else 12 * n if unit == "y" else 0
    if months:
        y, m = divmod(day.month - 1 - months, 12)
        import calendar as _cal

        year, month = day.year + y, m + 1
        return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))
    return day - timedelta(days=n if unit == "d" else 7 * n)


def _md(year: int, value: str) -> date:
    m, d = value.split("-")
    return date(year, int(m), int(d))


def season_of(rule, on: date) -> tuple[date, date, date, bool]:
    """(campaign start, campaign end, doses count from, on is inside the campaign)."""
    s = rule["season"]
    year = on.year
    start, end = _md(year, s["start"]), _md(year + 1, s["end"])
    counts = _md(year, s["counts_from"])
    previous_end = _md(year, s["end"])
    if on <= previous_end:
        return _md(year - 1, s["start"]), previous_end, _md(year - 1, s["counts_from"]), True
    return start, end, counts, start <= on <= end


def _seasonal(cal, rule, history, on, lmp) -> list[Reminder]:
    start, end, counts_from, inside = season_of(rule, on)
    if lmp is not None and rule.get("eligible", {}).get("pregnant"):
        if start > lmp + timedelta(weeks=41):
            return []  # the next campaign begins after the birth
    given = [d for d in _doses(history, rule["antigen"]) if counts_from <= d <= on]
    label = rules.text(rule["label"])
    title = f"{rules.text(rule['vaccine'])} — {label}"
    suffix = f"{start.year}"
    if given:
        return [_reminder(cal, rule, suffix, title, label, start, DONE, done_on=given[-1])]
    return [
        _reminder(cal, rule, suffix, title, label, start, DUE if inside else UPCOMING, until=end)
    ]


def _pregnancy(cal, rule, history, on, lmp) -> list[Reminder]:
    if lmp is None:
        return []
    start = lmp + timedelta(weeks=rule["from_weeks"])
    until = lmp + timedelta(weeks=rule["until_weeks"])
    if on > lmp + timedelta(weeks=42):
        return []
    months = rule.get("months")
    if months:
        days = (until - start).days
        if not any((start + timedelta(days=i)).month in months for i in range(days + 1)):
            return []
    given = [d for d in _doses(history, rule["antigen"]) if lmp <= d <= on]
    label = rules.text(rule["label"])
    title = f"{rules.text(rule['vaccine'])} — {label}"
    suffix = lmp.isoformat()
    if given:
        return [_reminder(cal, rule, suffix, title, label, start, DONE, done_on=given[-1])]
    return [
        _reminder(cal, rule, suffix, title, label, start, status_for(on, start, until), until=until)
    ]


def compute(snap: Snapshot, on: date, *, lmp: date | None = None) -> list[Reminder]:
    """Every vaccination reminder of the person as of ``on`` (``lmp``: an ongoing pregnancy)."""
    cal = rules.calendar()
    birth = snap.birth_date
    if birth is None or birth > on:
        return []
    history = snap.immunizations()
    out: list[Reminder] = []
    seasonal_seen: set[str] = set()
    for rule in cal["rules"]:
        if not _eligible(rule, snap, birth, on, lmp):
            continue
        kind = rule["kind"]
        if kind == "series":
            out += _series(cal, rule, history, birth, on)
        elif kind == "milestones":
            out += _milestones(cal, rule, history, birth, on)
        elif kind == "seasonal":
            if rule["antigen"] in seasonal_seen:
                continue  # one flu reminder, whichever rule makes the person eligible
            found = _seasonal(cal, rule, history, on, lmp)
            if found:
                seasonal_seen.add(rule["antigen"])
            out += found
        elif kind == "pregnancy":
            out += _pregnancy(cal, rule, history, on, lmp)
    return out


__all__ = ["compute", "DONE", "DUE", "OVERDUE", "UPCOMING"]
