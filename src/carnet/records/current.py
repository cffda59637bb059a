"""What is current in a record, for the home page: one audited read, a few small queries.

``summary`` answers "how am I, what is current": active problems, allergies, current
treatments, the latest vital signs with their trend, the few items that changed last, and
how much the whole record holds. It asks ``access`` once (one audit entry for the page)
and decrypts only what it shows: a record of thousands of items costs about what an empty
one does. ``resources`` lets the caller read more items of the record under the same
permit (the reminders need a few kinds of items, not the whole record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from carnet.access import services as access
from carnet.access.services import Action, Actor, Permit
from carnet.vault import sealed

from . import dates, store, units, words
from .fhir import clinical_date, clinical_shown
from .models import SearchToken

LOINC = "http://loinc.org"
EARLIEST = datetime.min.replace(tzinfo=UTC)
SHOWN = 5  # items per list on the home page; the rest is one click away
# Kinds of items that are not "what changed" for a person: identity, bills, traces.
QUIET_TYPES = (
    "Patient",
    "Provenance",
    "AuditEvent",
    "Claim",
    "ExplanationOfBenefit",
    "Coverage",
    "Binary",
)


@dataclass(frozen=True)
class VitalKind:
    key: str
    label: str
    codes: tuple[str, ...]  # LOINC
    tolerance: float  # a change smaller than this is "stable"
    unit: str = ""


VITALS = (
    VitalKind("bp", _("Blood pressure"), ("85354-9", "55284-4", "35094-2"), 5, "mmHg"),
    VitalKind("weight", _("Weight"), ("29463-7", "3141-9"), 0.5, "kg"),
    VitalKind(
        "glucose", _("Blood sugar"), ("41653-7", "2339-0", "2345-7", "15074-8", "14743-9"), 0.1
    ),
    VitalKind("hba1c", _("HbA1c (average blood sugar)"), ("4548-4", "17856-6"), 0.2, "%"),
    VitalKind(
        "hr", _("Heart rate"), (*words.HR_RESTING, *words.HR_READING, *words.HR_EXERCISE), 5, "/min"
    ),
    VitalKind("bmi", _("Body mass index"), ("39156-5",), 0.3, "kg/m²"),
    VitalKind("temperature", _("Temperature"), ("8310-5",), 0.3, "°C"),
    VitalKind("spo2", _("Oxygen saturation"), ("59408-5", "2708-6"), 1, "%"),
)
NO_KNOWN_ALLERGY = {"716186003", "409137002", "428607008", "429625007"}  # SNOMED "no known …"
SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"
BLOOD_GROUP = ("882-1", "883-9", "10331-7", "34474-7")
TREND_WORDS = {"up": _("going up"), "stable": _("stable"), "down": _("going down")}
TREND_ARROWS = {"up": "↗", "stable": "→", "down": "↘"}


@dataclass
class Item:
    resource_type: str
    id: str
    title: str
    detail: str = ""
    when: date | datetime | None = None


@dataclass
class Vital:
    key: str
    label: str
    value: str
    unit: str
    when: date | datetime | None
    trend: str = ""  # up | stable | down | "" (a single measurement)
    previous: str = ""

    @property
    def trend_words(self) -> str:
        return str(TREND_WORDS.get(self.trend, ""))

    @property
    def arrow(self) -> str:
        return TREND_ARROWS.get(self.trend, "")


@dataclass
class Current:
    permit: Permit
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Item] = field(default_factory=list)
    allergies: list[Item] = field(default_factory=list)
    treatments: list[Item] = field(default_factory=list)
    vitals: list[Vital] = field(default_factory=list)
    recent: list[Item] = field(default_factory=list)
    blood_group: str = ""
    more: dict[str, int] = field(default_factory=dict)  # how many more than shown, per list
    loaded: dict[str, list[dict]] = field(default_factory=dict)  # resources read, by type
    coded: dict[tuple, list[dict]] = field(default_factory=dict)  # read for ``coded``, by call
    # Writes the read's audit entry with the kinds first decrypted (``access.on_open``).
    audit: Any = None

    @property
    def patient_id(self) -> int:
        return self.permit.patient_id

    @property
    def empty(self) -> bool:
        return not any(n for t, n in self.counts.items() if t not in QUIET_TYPES)


# --- Plain text of FHIR values --------------------------------------------------------------


def _quantity(q: dict | None, context: str | None = None) -> tuple[float | None, str]:
    if not isinstance(q, dict) or not isinstance(q.get("value"), int | float):
        return None, ""
    value = float(q["value"])
    return value, units.shown(str(q.get("unit") or q.get("code") or ""), value, context)


def _when(resource: dict) -> datetime | None:
    """When it happened, its first instant: to order items, never to show a day."""
    return clinical_date(resource)


def _shown_when(resource: dict) -> date | datetime | None:
    """When it happened as a page shows it: a date-only value stays a ``date``."""
    return clinical_shown(resource)


def _status(concept) -> str:
    codes = words.codes(concept)
    return next(iter(sorted(codes)), "") if codes else ""


# --- The summary ------------------------------------------------------------------------------


def _visible(current: Current, resource_type: str | None = None):
    pid = current.patient_id
    return store.restrict(store.current_rows(pid, resource_type), pid, current.permit.view)


def _newest_first(qs):
    """Newest clinical date first, undated items last, then by id: the order of the page's
    lists, sorted by the database on the plaintext date column (no date is parsed from
    the decrypted items to sort them)."""
    return qs.order_by(F("clinical_date").desc(nulls_last=True), "-fhir_id")


def load_types(current: Current, types) -> None:
    """Read every current item of these types in one query (types known empty are skipped)."""
    wanted = [t for t in types if t not in current.loaded and current.counts.get(t)]
    for t in types:
        if not current.counts.get(t):
            current.loaded.setdefault(t, [])
    if not wanted:
        return
    _read(current, wanted)


def _read(current: Current, types, ids=()) -> dict[str, dict]:
    """One query for every item of ``types`` and the items ``ids``, newest first.

    Items of ``types`` go to ``current.loaded``; returns {id: item} of those read.
    """
    where = Q(resource_type__in=list(types))
    if ids:
        where = (where | Q(fhir_id__in=list(ids))) if types else Q(fhir_id__in=list(ids))
    elif not types:
        return {}
    types = set(types)
    for t in types:
        current.loaded[t] = []
    by_id = {}
    qs = _newest_first(_visible(current).filter(where))
    for r in store.open_rows(current.permit, qs, before_open=current.audit):
        by_id[r["id"]] = r
        if r["resourceType"] in types:
            current.loaded[r["resourceType"]].append(r)
    return by_id


def resources(current: Current, resource_type: str) -> list[dict]:
    """Every current item of one type under the summary's permit (read once per page)."""
    load_types(current, [resource_type])
    return current.loaded[resource_type]


def _code_hits(current: Current, wanted: dict[str, list[str]]) -> dict[str, set[str]]:
    """{token value: fhir ids} of the items of the given types carrying these code tokens."""
    pid = current.patient_id
    index = sealed.cipher(current.permit).blind_index
    by_hash: dict[str, str] = {}
    types = []
    for rtype, codes in wanted.items():
        if codes and current.counts.get(rtype):
            types.append(rtype)
            by_hash.update({index(c): c for c in codes})
    hits: dict[str, set[str]] = {}
    if not types:
        return hits
    rows = SearchToken.objects.filter(
        patient_id=pid, resource_type__in=types, param="code", token__in=list(by_hash)
    ).values_list("fhir_id", "token")
    for fid, token in rows:
        hits.setdefault(by_hash[token], set()).add(fid)
    return hits


def _exercise_ids(current: Current, hits: dict[str, set[str]]) -> set[str]:
    """Which heart rates found carry the category ``activity`` (blind tokens only)."""
    ids = set().union(*(hits.get(f"{LOINC}|{c}", set()) for c in words.HR_READING))
    if not ids:
        return set()
    pid = current.patient_id
    return set(
        SearchToken.objects.filter(
            patient_id=pid,
            resource_type="Observation",
            param="category",
            token=sealed.blind_index(current.permit, words.EXERCISE_CATEGORY),
            fhir_id__in=list(ids),
        ).values_list("fhir_id", flat=True)
    )


def _dates(current: Current, ids) -> dict[str, tuple[str, datetime, datetime]]:
    """{id: (type, clinical date or EARLIEST, recorded at)} of visible items, from plaintext columns."""
    if not ids:
        return {}
    rows = store.plain_rows(
        _visible(current).filter(fhir_id__in=list(ids)),
        "fhir_id",
        "resource_type",
        "clinical_date",
        "recorded_at",
    )
    return {fid: (rtype, day or EARLIEST, recorded) for fid, rtype, day, recorded in rows}


def _coded_key(wanted: dict[str, list[str]], latest: int | None) -> tuple:
    return tuple((t, tuple(codes)) for t, codes in wanted.items()), latest


def _coded_ids(hits, dated, wanted, latest: int | None) -> set[str]:
    """The ids ``coded`` reads: of the wanted types, the newest ``latest`` of each code."""
    types = {t for t, codes in wanted.items() if codes}
    codes = {c for t in types for c in wanted[t]}
    ids = set()
    for token, found in hits.items():
        if token not in codes:
            continue  # looked for by another part of the page, in the same query
        mine = [(dated[f][1:], f) for f in found if f in dated and dated[f][0] in types]
        if latest is not None:
            mine = sorted(mine)[-latest:]
        ids |= {f for _d, f in mine}
    return ids


def coded(
    current: Current, wanted: dict[str, list[str]], *, latest: int | None = None
) -> list[dict]:
    """Current items of several types that carry one of the given 'system|code' tokens.

    With ``latest``, only the newest ``latest`` items of each code are read. A few queries
    whatever the number of types and codes: the blind tokens, the dates, then the items
    (none when ``summary`` read them already, with ``coded=``).
    """
    key = _coded_key(wanted, latest)
    if key in current.coded:
        return list(current.coded[key])
    hits = _code_hits(current, wanted)
    ids = set().union(*hits.values()) if hits else set()
    if not ids:
        return []
    ids = _coded_ids(hits, _dates(current, ids), wanted, latest)
    if not ids:
        return []
    qs = _newest_first(_visible(current).filter(fhir_id__in=list(ids)))
    return store.open_rows(current.permit, qs)


def _active_problem(r: dict) -> bool:
    status = words.codes(r.get("clinicalStatus"))
    if status and not status & {"active", "recurrence", "relapse"}:
        return False
    if r.get("abatementDateTime") or r.get("abatementPeriod") or r.get("abatementAge"):
        return False
    return not words.codes(r.get("verificationStatus")) & {"refuted", "entered-in-error"}


def _problem_item(r: dict) -> Item:
    onset = r.get("onsetDateTime") or r.get("recordedDate")
    return Item("Condition", r.get("id", ""), words.title(r), when=dates.shown(onset))


def _allergy_item(r: dict) -> Item:
    return Item("AllergyIntolerance", r.get("id", ""), words.title(r), detail=words.detail(r))


def _treatment_item(r: dict) -> Item:
    title, detail = words.title(r), words.detail(r)
    return Item(r["resourceType"], r.get("id", ""), title, detail=detail, when=_shown_when(r))


def _vital_value(kind: VitalKind, r: dict) -> tuple[float | None, str, str]:
    """(number compared for the trend, text shown, unit)."""
    if kind.key == "bp":
        sys_v, dia_v = words.pair(r, SYSTOLIC, DIASTOLIC)  # by LOINC code, never by position
        if sys_v is None or dia_v is None:
            return None, "", ""
        return sys_v, words.pair_text(sys_v, dia_v), "mmHg"
    value, unit = _quantity(r.get("valueQuantity"), kind.codes[0])
    if value is None:
        return None, "", ""
    q = r["valueQuantity"]
    context = words.measure_code(r) or kind.codes[0]
    digits = words.digits_for(q.get("code") or q.get("unit") or kind.unit, context)
    if digits == 2 and q.get("unit"):  # the code gave no precision: its written unit may
        digits = words.digits_for(q["unit"], context)
    shown = words.number(value, digits)
    return value, shown, unit or units.shown(kind.unit, value, kind.codes[0])


def _trend(kind: VitalKind, latest: float, previous: float) -> str:
    tolerance = max(kind.tolerance, abs(previous) * 0.02 if kind.key != "hba1c" else 0)
    if latest - previous > tolerance:
        return "up"
    if previous - latest > tolerance:
        return "down"
    return "stable"


VITAL_TOKENS = {f"{LOINC}|{c}": k.key for k in VITALS for c in k.codes} | {
    f"{LOINC}|{c}": "blood" for c in BLOOD_GROUP
}


def _vital_ids(hits: dict[str, set[str]], dated, effort: set[str] = frozenset()) -> dict[str, str]:
    """{id: kind} of the latest few observations of each kind of vital sign, and of the
    blood group, chosen on their blind tokens and plaintext dates (nothing decrypted).

    Heart rates are chosen per context: resting (by code), during exercise (``effort``:
    the ids carrying the category ``activity``) and the others.
    """
    hr_rest = set().union(*(hits.get(f"{LOINC}|{c}", set()) for c in words.HR_RESTING))
    kind_of_id: dict[str, str] = {}
    for token, ids in hits.items():
        kind = VITAL_TOKENS.get(token)
        if kind:
            kind_of_id.update(dict.fromkeys(ids, kind))
    per_kind: dict[str, list[tuple]] = {}
    for fid, kind in kind_of_id.items():
        found = dated.get(fid)
        if found and found[0] == "Observation":
            group = kind
            if kind == "hr":  # the newest of each context, so that runs hide no resting value
                group = "hr-rest" if fid in hr_rest else "hr-effort" if fid in effort else kind
            per_kind.setdefault(group, []).append((found[1], found[2], fid))
    chosen = {}
    for group, rows in per_kind.items():
        rows.sort(reverse=True)
        key = group.partition("-")[0]
        chosen.update({fid: key for _d, _r, fid in rows[: 1 if key == "blood" else 6]})
    return chosen


def _latest_observations(chosen: dict[str, str], dated, by_id: dict[str, dict]):
    """The chosen observations by kind, newest first, and those of the blood group."""
    out: dict[str, list[dict]] = {}
    for fid in sorted(chosen, key=lambda f: (dated[f][1], dated[f][2], f), reverse=True):
        if fid in by_id:
            out.setdefault(chosen[fid], []).append(by_id[fid])
    return out, out.pop("blood", [])


def _vital(kind: VitalKind, rows: list[dict], key: str = "", label=None) -> Vital | None:
    """The newest valid value of these observations (newest first), with its trend."""
    values = []
    for r in rows:
        if r.get("status") in ("entered-in-error", "cancelled"):
            continue
        number, shown, unit = _vital_value(kind, r)
        if number is not None:
            values.append((number, shown, unit, _shown_when(r)))
        if len(values) == 2:
            break
    if not values:
        return None
    number, shown, unit, when = values[0]
    vital = Vital(key or kind.key, str(label or kind.label), shown, unit, when)
    if len(values) == 2 and values[1][2] == unit:
        vital.trend = _trend(kind, number, values[1][0])
        vital.previous = values[1][1]
    return vital


def _heart_rates(kind: VitalKind, rows: list[dict]) -> list[Vital]:
    """The heart rate at rest or of a single reading, newest first, then the one during
    exercise: never one for the other, each compared only with a value of its context."""
    by_context: dict[str, list[dict]] = {}
    for r in rows:
        by_context.setdefault(words.heart_rate_context(r), []).append(r)
    out = []
    calm = sorted(
        by_context.get("rest", []) + by_context.get("reading", []),
        key=lambda r: _when(r) or EARLIEST,
        reverse=True,
    )
    if calm:
        context = words.heart_rate_context(calm[0])
        vital = _vital(kind, by_context[context], label=words.HR_LABELS[context])
        if vital:
            out.append(vital)
    vital = _vital(kind, by_context.get("effort", []), "hr_effort", words.HR_LABELS["effort"])
    if vital:
        out.append(vital)
    return out


def latest_vitals(latest: dict[str, list[dict]]) -> list[Vital]:
    """The latest measurements the home page, the printed summary and the practitioner's
    view show: per kind, the newest value (``latest``: observations by kind, newest
    first) and its trend against the one before; heart rates by context."""
    out = []
    for kind in VITALS:
        rows = latest.get(kind.key, [])
        if kind.key == "hr":
            out += _heart_rates(kind, rows)
        elif vital := _vital(kind, rows):
            out.append(vital)
    return out


def _blood_group(rows: list[dict]) -> str:
    for r in rows:
        if r.get("valueCodeableConcept"):
            return words.label(r["valueCodeableConcept"])
        if r.get("valueString"):
            return str(r["valueString"])
    return ""


def _recent_ids(current: Current) -> list[str]:
    """The ids of the items recorded last (an index-only sort: nothing decrypted)."""
    return list(
        _visible(current)
        .exclude(resource_type__in=QUIET_TYPES)
        .order_by("-recorded_at", "-clinical_date", "fhir_id")
        .values_list("fhir_id", flat=True)[:SHOWN]
    )


def _recent(ids: list[str], by_id: dict[str, dict]) -> list[Item]:
    return [
        Item(r["resourceType"], r.get("id", ""), words.title(r), when=_shown_when(r))
        for r in (by_id.get(i) for i in ids)
        if r is not None
    ]


def _shown(current: Current, key: str, items: list[Item]) -> list[Item]:
    if len(items) > SHOWN:
        current.more[key] = len(items) - SHOWN
    return items[:SHOWN]


SUMMARY_TYPES = ("Condition", "AllergyIntolerance", "MedicationRequest", "MedicationStatement")


def _merged(*wanted: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for w in wanted:
        for rtype, codes in w.items():
            out[rtype] = sorted({*out.get(rtype, ()), *codes})
    return out


def summary(
    actor: Actor,
    patient_id: int,
    purpose: str,
    *,
    preload=(),
    coded: tuple[dict[str, list[str]], int | None] | None = None,
) -> Current:
    """What is current in a record (NotFound when the actor may not read it); audited once.

    ``preload``: more types to read in the same query, for the caller's use (``resources``).
    ``coded``: the ``(wanted, latest)`` of a later ``coded`` call, answered from the same
    queries. Whatever the size of the record: the counts, which items carry the codes
    looked for (blind tokens) and their dates, the ids of the last recorded, then one
    query decrypts only what is shown or asked for.
    """
    permit = access.require(
        actor, patient_id, Action.READ, purpose, audit_now=False, what="summary"
    )
    current = Current(permit=permit)
    # The entry is written with the kinds of the first items decrypted (``_read``).
    current.audit = access.on_open(actor, patient_id, Action.READ, purpose, permit, what="summary")
    qs = store.restrict(store.current_rows(patient_id), patient_id, permit.view)
    current.counts = {
        r["resource_type"]: r["n"] for r in qs.values("resource_type").annotate(n=Count("id"))
    }
    if not current.counts:
        current.audit({})
        return current
    has = current.counts.get
    types = list(dict.fromkeys(t for t in (*SUMMARY_TYPES, *(preload or ())) if has(t)))
    for t in (*SUMMARY_TYPES, *(preload or ())):
        current.loaded.setdefault(t, [])
    vitals_wanted = {"Observation": list(VITAL_TOKENS)} if has("Observation") else {}
    hits = _code_hits(current, _merged(vitals_wanted, coded[0] if coded else {}))
    dated = _dates(current, set().union(*hits.values())) if hits else {}
    vital_ids = _vital_ids(hits, dated, _exercise_ids(current, hits)) if vitals_wanted else {}
    coded_ids = _coded_ids(hits, dated, *coded) if coded else set()
    recent_ids = _recent_ids(current)
    by_id = _read(current, types, {*vital_ids, *coded_ids, *recent_ids})
    current.audit({})  # nothing to decrypt: the look is written all the same
    if coded:
        current.coded[_coded_key(*coded)] = [r for f, r in by_id.items() if f in coded_ids]

    if has("Condition"):
        problems = [r for r in resources(current, "Condition") if _active_problem(r)]
        current.problems = _shown(current, "problems", [_problem_item(r) for r in problems])
    if has("AllergyIntolerance"):
        allergies = [
            r
            for r in resources(current, "AllergyIntolerance")
            if _status(r.get("clinicalStatus")) in ("", "active")
            and not words.codes(r.get("verificationStatus")) & {"refuted", "entered-in-error"}
        ]
        known = [r for r in allergies if not words.codes(r.get("code")) & NO_KNOWN_ALLERGY]
        # "No known allergy" is worth showing only while nothing else is recorded.
        allergies = known or allergies
        current.allergies = _shown(current, "allergies", [_allergy_item(r) for r in allergies])
    meds = []
    for rtype in ("MedicationRequest", "MedicationStatement"):
        if has(rtype):
            meds += [
                r
                for r in resources(current, rtype)
                if r.get("status") in ("active", "intended", "on-hold")
            ]
    meds.sort(key=lambda r: _when(r) or EARLIEST, reverse=True)
    current.treatments = _shown(current, "treatments", [_treatment_item(r) for r in meds])
    if vital_ids:
        latest, blood = _latest_observations(vital_ids, dated, by_id)
        current.vitals = latest_vitals(latest)
        current.blood_group = _blood_group(blood)
    current.recent = _recent(recent_ids, by_id)
    return current
