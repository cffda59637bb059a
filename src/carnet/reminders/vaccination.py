"""The vaccination rules engine: the calendar (data) over birth date, sex, pregnancy and history.

For each rule it says what is up to date, due, overdue or upcoming as of a date, with the
catch-up logic of the calendar: a series shows only its next missing dose, dated from the
recommended age or the minimum interval after the previous dose; a missed adult booster is
due at once and the next one keeps to the age schedule (25, 45, 65), then every ten years
after the last dose from 65 on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carnet.records import words

from . import rules
from .base import DONE, DUE, OVERDUE, UPCOMING, Reminder, status_for
from .record import (
    Given,
    Snapshot,
    local_date,
    vaccination_acts,
    vaccination_day,
    vaccination_precision,
)

# credit(dose, rule id, step words): a dose the calendar counted, and for which step.
Credit = Callable[[Given, str, str], None]


def _no_credit(_dose: Given, _rule: str, _step: str) -> None:
    return None


def _doses(history: list[Given], antigen: str) -> list[Given]:
    return [g for g in history if antigen in g.antigens]


def _covering(history: list[Given], required) -> list[Given]:
    """Doses whose vaccine covers every one of the ``required`` diseases."""
    need = set(required)
    return [g for g in history if need <= g.antigens]


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


def _series(cal, rule, history, birth, on, credit: Credit = _no_credit) -> list[Reminder]:
    counts_from = rules.add_age(birth, rule.get("counts_from", "0d"))
    counts_until = rules.add_age(birth, rule["counts_until"]) if "counts_until" in rule else None
    given_doses = [
        g
        for g in _doses(history, rule["antigen"])
        if counts_from <= g.day and (counts_until is None or g.day < counts_until) and g.day <= on
    ]
    given = [g.day for g in given_doses]
    doses = rule["doses"]
    vaccine = rules.text(rule["vaccine"])
    for g, spec in zip(given_doses, doses, strict=False):
        credit(g, rule["id"], f"{vaccine} — {rules.text(spec['label'])}")
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


def _needs(m: dict) -> list[str]:
    """The diseases a milestone's vaccine must cover (all of them), else its one antigen."""
    return m.get("requires") or [m["antigen"]]


def _credit_milestones(rule, history, birth, on, credit: Credit) -> None:
    """Each dose that counts for a past milestone (in its window) or a later ten-year booster."""
    tolerance = rule["tolerance"]
    ms = [(rules.add_age(birth, m["age"]), m) for m in rule["milestones"]]
    every_label = rules.text(rule["every_label"])
    for i, (when, m) in enumerate(ms):
        if _minus(when, tolerance) > on:
            break
        lo = _minus(when, tolerance)
        hi = _minus(ms[i + 1][0], tolerance) if i + 1 < len(ms) else None
        found = [g for g in _covering(history, _needs(m)) if lo <= g.day <= on]
        found = [g for g in found if hi is None or g.day < hi]
        label = f"{rules.text(m.get('vaccine') or rule['vaccine'])} — {rules.text(m['label'])}"
        # After the last milestone, a dose ten years on is a ten-year booster, not that one.
        later = _minus(rules.add_age(when, rule["every"]), tolerance) if hi is None else None
        for n, g in enumerate(found):
            every = later is not None and (n > 0 or g.day >= later)
            step = f"{rules.text(rule['vaccine'])} — {every_label}" if every else label
            credit(g, rule["id"], step)


def _milestones(cal, rule, history, birth, on, credit: Credit = _no_credit) -> list[Reminder]:
    _credit_milestones(rule, history, birth, on, credit)
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
            given = [g.day for g in _covering(history, _needs(m)) if since <= g.day <= on]
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
    every_needs = rule.get("every_requires") or ["tetanus"]
    given = [g.day for g in _covering(history, every_needs) if since <= g.day <= on]
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


def _season_words(rule, day: date) -> str:
    start, _end, _counts, _inside = season_of(rule, day)
    return f"{start.year}-{start.year + 1}"


def _seasonal(cal, rule, history, on, lmp, birth=None, credit: Credit = _no_credit):
    start, end, counts_from, inside = season_of(rule, on)
    if lmp is not None and rule.get("eligible", {}).get("pregnant"):
        if start > lmp + timedelta(weeks=41):
            return []  # the next campaign begins after the birth
    given = [g.day for g in _doses(history, rule["antigen"]) if counts_from <= g.day <= on]
    label = rules.text(rule["label"])
    title = f"{rules.text(rule['vaccine'])} — {label}"
    # Each dose since the person became eligible counts for its own season.
    e = rule.get("eligible") or {}
    since = date.min
    if "age_from" in e and birth is not None:
        since = rules.add_age(birth, e["age_from"]) - timedelta(days=365)
    elif e.get("pregnant"):
        since = lmp or date.max
    for g in _doses(history, rule["antigen"]):
        if since <= g.day <= on:
            credit(g, rule["id"], f"{title} ({_season_words(rule, g.day)})")
    suffix = f"{start.year}"
    if given:
        return [_reminder(cal, rule, suffix, title, label, start, DONE, done_on=given[-1])]
    return [
        _reminder(cal, rule, suffix, title, label, start, DUE if inside else UPCOMING, until=end)
    ]


def _pregnancy(cal, rule, history, on, lmp, credit: Credit = _no_credit) -> list[Reminder]:
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
    given_doses = [g for g in _doses(history, rule["antigen"]) if lmp <= g.day <= on]
    given = [g.day for g in given_doses]
    label = rules.text(rule["label"])
    title = f"{rules.text(rule['vaccine'])} — {label}"
    for g in given_doses:
        credit(g, rule["id"], title)
    suffix = lmp.isoformat()
    if given:
        return [_reminder(cal, rule, suffix, title, label, start, DONE, done_on=given[-1])]
    return [
        _reminder(cal, rule, suffix, title, label, start, status_for(on, start, until), until=until)
    ]


def compute(
    snap: Snapshot,
    on: date,
    *,
    lmp: date | None = None,
    credits: dict[str, list[tuple[str, str]]] | None = None,
) -> list[Reminder]:
    """Every vaccination reminder of the person as of ``on`` (``lmp``: an ongoing pregnancy).

    ``credits``, when given, receives for each counted dose (by Immunization id) the
    (rule id, step words) it counts for: the vaccinations page says it beside the vaccine."""
    cal = rules.calendar()
    birth = snap.birth_date
    if birth is None or birth > on:
        return []
    history = snap.given_vaccines()

    def credit(g: Given, rule_id: str, step: str) -> None:
        if credits is not None:
            mine = credits.setdefault(g.id, [])
            if (rule_id, step) not in mine and not any(r == rule_id for r, _step in mine):
                mine.append((rule_id, step))

    out: list[Reminder] = []
    seasonal_seen: set[str] = set()
    for rule in cal["rules"]:
        if not _eligible(rule, snap, birth, on, lmp):
            continue
        kind = rule["kind"]
        if kind == "series":
            out += _series(cal, rule, history, birth, on, credit)
        elif kind == "milestones":
            out += _milestones(cal, rule, history, birth, on, credit)
        elif kind == "seasonal":
            if rule["antigen"] in seasonal_seen:
                continue  # one flu reminder, whichever rule makes the person eligible
            found = _seasonal(cal, rule, history, on, lmp, birth, credit)
            if found:
                seasonal_seen.add(rule["antigen"])
            out += found
        elif kind == "pregnancy":
            out += _pregnancy(cal, rule, history, on, lmp, credit)
    _done_precision(out, history)
    return out


def _done_precision(out: list[Reminder], history: list[Given]) -> None:
    """A step done by a dose its source dated only by year or month says so (« en 1975 »)."""
    imprecise: dict[date, set[str]] = {}
    for g in history:
        imprecise.setdefault(g.day, set()).add(g.precision)
    for r in out:
        kinds = imprecise.get(r.done_on) if r.done_on else None
        if kinds and len(kinds) == 1 and "day" not in kinds:
            r.done_precision = next(iter(kinds))


__all__ = ["compute", "DONE", "DUE", "OVERDUE", "UPCOMING"]


# --- the vaccines of the record, each with what it counts for ---------------------------------

# An older kind of vaccine against the same disease, which the calendar's step no longer asks for.
OLDER_KIND = {"pneumococcal_ps": "pneumococcal", "zoster_live": "zoster"}


@dataclass
class AlsoIn:
    """Another item of the record for the same act (the same dose in another document)."""

    id: str
    name: str
    recorded: date | None


@dataclass
class RecordedVaccine:
    """One vaccination act of the record as the vaccinations page lists it."""

    id: str
    day: date | None
    name: str  # its name, as every page of the record gives it (``records.words``)
    product: str  # the medicine's own name when it says more (« Vaccin tetanique pasteur »)
    diseases: list[str]  # in words, in the page's language
    recognised: str  # "code", "name" or "" (Carnet does not know this vaccine)
    counts_for: list[str]  # the calendar steps it satisfies
    why_not: str = ""  # when it satisfies none: why, in plain words
    status: str = "completed"
    precision: str = "day"  # "year" or "month" when the source gave no more ("1975")
    also: list[AlsoIn] = field(default_factory=list)  # the same act in other documents

    @property
    def known(self) -> bool:
        return bool(self.recognised)

    @property
    def when(self) -> words.When | None:
        return words.When(self.day, self.precision) if self.day else None


def name_of(r: dict) -> str:
    """A vaccine's name: the record's one naming (``records.words.title``), else the name
    of its code in the vaccine table, else « Vaccine without a name »."""
    title = words.title(r)
    if not title.generic and not (
        title.original and words.codes(r.get("vaccineCode")) == {str(title)}
    ):
        return str(title)
    for c in (r.get("vaccineCode") or {}).get("coding") or []:
        if isinstance(c, dict) and rules.code_display(c):
            return words.sentence_case(rules.code_display(c))
    return _("Vaccine without a name") if title.generic else str(title)


def _product(concept: dict | None, name: str) -> str:
    """What the source says more than the name: the French medicine's name (CIS coding),
    else the words a person or prescriber typed (a text no coding displays: « Revaxis »),
    up to the first comma, in sentence case; else ""."""
    concept = concept or {}
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    candidates = [
        str(c.get("display") or "") or rules.code_display(c)
        for c in codings
        if c.get("system") == words.CIS_SYSTEM
    ]
    text = str(concept.get("text") or "")
    displays = {rules.fold_words(str(c.get("display") or "")) for c in codings}
    if text and rules.fold_words(text) not in displays:
        candidates.append(text)
    said = rules.fold_words(name)
    for full in candidates:
        shown = words.sentence_case(full.split(",")[0].strip())
        if shown and not said.startswith(rules.fold_words(shown)):
            return shown
    return ""


def _words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _age_words(birth: date, day: date) -> str:
    months = (day.year - birth.year) * 12 + day.month - birth.month - (day.day < birth.day)
    if months >= 24:
        years = months // 12
        return ngettext("%(n)s year", "%(n)s years", years) % {"n": years}
    return ngettext("%(n)s month", "%(n)s months", months) % {"n": months}


def _partial(antigens: frozenset[str], day: date, birth: date) -> str:
    """Why a dose that covers part of a milestone's diseases does not count for it."""
    for rule in rules.calendar()["rules"]:
        if rule["kind"] != "milestones":
            continue
        ms = [(rules.add_age(birth, m["age"]), m) for m in rule["milestones"]]
        for i, (when, m) in enumerate(ms):
            lo = _minus(when, rule["tolerance"])
            hi = _minus(ms[i + 1][0], rule["tolerance"]) if i + 1 < len(ms) else date.max
            need = _needs(m)
            covered = [a for a in need if a in antigens]
            if lo <= day < hi and covered and len(covered) < len(need):
                missing = [rules.antigen_label(a) for a in need if a not in antigens]
                return _(
                    "It protects against %(covered)s: %(n)s of the %(total)s diseases of the "
                    "step « %(step)s »; it lacks %(missing)s, so it does not count for it."
                ) % {
                    "covered": _words([rules.antigen_label(a) for a in covered]),
                    "n": len(covered),
                    "total": len(need),
                    "step": rules.text(m["label"]),
                    "missing": _words(missing),
                }
    return ""


def _also(r: dict) -> AlsoIn:
    name = name_of(r)
    product = _product(r.get("vaccineCode"), name)
    shown = f"{name} ({product})" if product else name
    return AlsoIn(str(r.get("id") or ""), shown, local_date(r.get("recorded")))


def _why_not(r: dict, antigens: set[str], credited_rules: set[str], birth, on) -> str:
    status = r.get("status", "completed")
    if status == "entered-in-error":
        return _("Its source marked it as entered in error: it counts for nothing.")
    if status == "not-done":
        return _("Recorded as not given.")
    if not antigens:
        return _(
            "Carnet does not recognise this vaccine, so it cannot say which diseases it "
            "protects against. It is kept as its source wrote it: ask your doctor or "
            "pharmacist."
        )
    day = vaccination_day(r)
    if day is None:
        return _("It has no date: Carnet cannot place it in the calendar.")
    if birth is None:
        return _("The record has no birth date: add it to see what this vaccine counts for.")
    if day < birth:
        return _("It is dated before the birth date: check its date.")
    if day > on:
        return _("It is dated in the future: check its date.")
    for older in OLDER_KIND:
        if older in antigens:
            return _(
                "An older kind of vaccine (%(this)s): the calendar now asks for another "
                "one against this disease, so it does not count for its step."
            ) % {"this": rules.antigen_label(older)}
    partial = _partial(frozenset(antigens), day, birth)
    if partial:
        return partial
    for rule in rules.calendar()["rules"]:
        if (
            rule["kind"] == "series"
            and rule["antigen"] in antigens
            and rule["id"] in credited_rules
        ):
            counts_from = rules.add_age(birth, rule.get("counts_from", "0d"))
            until = rules.add_age(birth, rule["counts_until"]) if "counts_until" in rule else None
            if counts_from <= day and (until is None or day < until):
                return _("An extra dose: its series was already complete.")
    return _(
        "No step of the French calendar asks for a vaccine against %(diseases)s at "
        "%(age)s (a trip, a job or a catch-up can be reasons). It still protects you and "
        "stays in your record."
    ) % {
        "diseases": _words(sorted(rules.antigen_label(a) for a in antigens)),
        "age": _age_words(birth, day),
    }


def recorded(
    snap: Snapshot, credits: dict[str, list[tuple[str, str]]], on: date
) -> list[RecordedVaccine]:
    """Every Immunization of the record, newest first, with the steps it counts for or why none.

    Nothing is left out: a vaccine Carnet does not recognise, one not given, one without
    a date are listed too, each saying so."""
    birth = snap.birth_date
    credited_rules = {rule for steps in credits.values() for rule, _step in steps}
    out = []
    for group in vaccination_acts(snap.of("Immunization")):
        r = group[0]
        antigens, how = rules.recognise(r.get("vaccineCode"))
        for other in group[1:]:
            antigens |= rules.antigens_of(other.get("vaccineCode"))
        rid = str(r.get("id") or id(r))
        steps = [step for _rule, step in credits.get(rid, [])]
        name = name_of(r)
        out.append(
            RecordedVaccine(
                id=rid,
                day=vaccination_day(r),
                name=name,
                product=_product(r.get("vaccineCode"), name),
                diseases=sorted(rules.antigen_label(a) for a in antigens),
                recognised=how,
                counts_for=steps,
                why_not="" if steps else _why_not(r, antigens, credited_rules, birth, on),
                status=r.get("status", "completed"),
                precision=vaccination_precision(r),
                also=[_also(other) for other in group[1:]],
            )
        )
    return sorted(out, key=lambda v: (v.day or date.min, v.name), reverse=True)
