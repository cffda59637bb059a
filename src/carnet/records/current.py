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
from datetime import UTC, datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from carnet.access import services as access
from carnet.access.services import Action, Actor, Decision
from carnet.vault import services as vault

from . import store
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
    VitalKind("hr", _("Heart rate"), ("8867-4",), 5, "/min"),
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
    when: datetime | None = None


@dataclass
class Vital:
    key: str
    label: str
    value: str
    unit: str
    when: datetime | None
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
    permit: Decision
    patient_id: int
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Item] = field(default_factory=list)
    allergies: list[Item] = field(default_factory=list)
    treatments: list[Item] = field(default_factory=list)
    vitals: list[Vital] = field(default_factory=list)
    recent: list[Item] = field(default_factory=list)
    blood_group: str = ""
    more: dict[str, int] = field(default_factory=dict)  # how many more than shown, per list
    loaded: dict[str, list[dict]] = field(default_factory=dict)  # resources read, by type

    @property
    def empty(self) -> bool:
        return not any(n for t, n in self.counts.items() if t not in QUIET_TYPES)


# --- Plain text of FHIR values --------------------------------------------------------------


def text_of(concept) -> str:
    """The words of a CodeableConcept (its text, else the first display, else the code)."""
    concepts = concept if isinstance(concept, list) else [concept]
    for c in concepts:
        if isinstance(c, dict) and c.get("text"):
            return str(c["text"])
    for c in concepts:
        for coding in (c or {}).get("coding") or [] if isinstance(c, dict) else []:
            if coding.get("display"):
                return str(coding["display"])
    for c in concepts:
        for coding in (c or {}).get("coding") or [] if isinstance(c, dict) else []:
            if coding.get("code"):
                return str(coding["code"])
    return ""


def _codes(concept) -> set[str]:
    out = set()
    for c in concept if isinstance(concept, list) else [concept]:
        if isinstance(c, dict):
            out |= {str(x.get("code")) for x in c.get("coding") or [] if x.get("code")}
    return out


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        value = round(value, 2)
    return str(value).replace(".", ",")


def _quantity(q: dict | None) -> tuple[float | None, str]:
    if not isinstance(q, dict) or not isinstance(q.get("value"), int | float):
        return None, ""
    return float(q["value"]), str(q.get("unit") or q.get("code") or "")


def _when(resource: dict) -> datetime | None:
    from .fhir import clinical_date

    return clinical_date(resource)


def _status(concept) -> str:
    codes = _codes(concept)
    return next(iter(sorted(codes)), "") if codes else ""


def title_of(resource: dict) -> str:
    rtype = resource.get("resourceType", "")
    for name in ("code", "vaccineCode", "medicationCodeableConcept", "type"):
        if resource.get(name):
            found = text_of(resource[name])
            if found:
                return found
    if rtype == "DocumentReference":
        for c in resource.get("content") or []:
            if (c.get("attachment") or {}).get("title"):
                return c["attachment"]["title"]
        return resource.get("description") or ""
    if rtype == "FamilyMemberHistory":
        return text_of(resource.get("relationship"))
    if rtype == "Consent":
        return str(_("Advance directives"))
    return ""


# --- The summary ------------------------------------------------------------------------------


def _open(permit, patient_id: int, qs) -> list[dict]:
    return store.open_rows(permit, patient_id, qs)


def _visible(current: Current, resource_type: str | None = None):
    pid = current.patient_id
    return store.restrict(store.current_rows(pid, resource_type), pid, current.permit.view)


def load_types(current: Current, types) -> None:
    """Read every current item of these types in one query (types known empty are skipped)."""
    wanted = [t for t in types if t not in current.loaded and current.counts.get(t)]
    for t in types:
        if not current.counts.get(t):
            current.loaded.setdefault(t, [])
    if not wanted:
        return
    # No ORDER BY in SQL: sorting rows with their payloads costs more than sorting in Python.
    qs = _visible(current).filter(resource_type__in=wanted)
    for t in wanted:
        current.loaded[t] = []
    for r in _newest_first(_open(current.permit, current.patient_id, qs)):
        current.loaded[r["resourceType"]].append(r)


def _newest_first(found: list[dict]) -> list[dict]:
    return sorted(found, key=lambda r: (_when(r) or EARLIEST, r.get("id", "")), reverse=True)


def resources(current: Current, resource_type: str) -> list[dict]:
    """Every current item of one type under the summary's permit (read once per page)."""
    load_types(current, [resource_type])
    return current.loaded[resource_type]


def _code_hits(current: Current, wanted: dict[str, list[str]]) -> dict[str, set[str]]:
    """{token value: fhir ids} of the items of the given types carrying these code tokens."""
    pid = current.patient_id
    cipher = vault.cipher(pid)
    by_hash: dict[str, str] = {}
    types = []
    for rtype, codes in wanted.items():
        if codes and current.counts.get(rtype):
            types.append(rtype)
            by_hash.update({cipher.blind_index(c): c for c in codes})
    hits: dict[str, set[str]] = {}
    if not types:
        return hits
    rows = SearchToken.objects.filter(
        patient_id=pid, resource_type__in=types, param="code", token__in=list(by_hash)
    ).values_list("fhir_id", "token")
    for fid, token in rows:
        hits.setdefault(by_hash[token], set()).add(fid)
    return hits


def coded(
    current: Current, wanted: dict[str, list[str]], *, latest: int | None = None
) -> list[dict]:
    """Current items of several types that carry one of the given 'system|code' tokens.

    With ``latest``, only the newest ``latest`` items of each code are read. A few queries
    whatever the number of types and codes: the blind tokens, the dates, then the items.
    """
    hits = _code_hits(current, wanted)
    ids = set().union(*hits.values()) if hits else set()
    if not ids:
        return []
    qs = _visible(current).filter(resource_type__in=list(wanted))
    if latest is not None:
        day_of = {
            fid: (day or EARLIEST, recorded)
            for fid, day, recorded in qs.filter(fhir_id__in=list(ids)).values_list(
                "fhir_id", "clinical_date", "recorded_at"
            )
        }
        ids = set()
        for found in hits.values():
            newest = sorted((day_of[f], f) for f in found if f in day_of)[-latest:]
            ids |= {f for _d, f in newest}
    qs = qs.filter(fhir_id__in=list(ids))
    return _newest_first(_open(current.permit, current.patient_id, qs))


def _active_problem(r: dict) -> bool:
    status = _codes(r.get("clinicalStatus"))
    if status and not status & {"active", "recurrence", "relapse"}:
        return False
    if r.get("abatementDateTime") or r.get("abatementPeriod") or r.get("abatementAge"):
        return False
    return not _codes(r.get("verificationStatus")) & {"refuted", "entered-in-error"}


def _problem_item(r: dict) -> Item:
    onset = r.get("onsetDateTime") or r.get("recordedDate")
    from .fhir import parse_date

    return Item(
        "Condition", r.get("id", ""), title_of(r), when=parse_date(onset) if onset else None
    )


def _allergy_item(r: dict) -> Item:
    reactions = [
        text_of(m)
        for reaction in r.get("reaction") or []
        for m in reaction.get("manifestation") or []
    ]
    detail = ", ".join(x for x in reactions if x)
    if r.get("criticality") == "high":
        detail = str(_("serious reaction possible")) + (f" — {detail}" if detail else "")
    return Item("AllergyIntolerance", r.get("id", ""), title_of(r), detail=detail)


def _treatment_item(r: dict) -> Item:
    dosage = " ; ".join(
        d.get("text") for d in r.get("dosageInstruction") or r.get("dosage") or [] if d.get("text")
    )
    return Item(r["resourceType"], r.get("id", ""), title_of(r), detail=dosage, when=_when(r))


def _vital_value(kind: VitalKind, r: dict) -> tuple[float | None, str, str]:
    """(number compared for the trend, text shown, unit)."""
    if kind.key == "bp":
        sys_v = dia_v = None
        for comp in r.get("component") or []:
            codes = _codes(comp.get("code"))
            if SYSTOLIC in codes:
                sys_v = _quantity(comp.get("valueQuantity"))[0]
            elif DIASTOLIC in codes:
                dia_v = _quantity(comp.get("valueQuantity"))[0]
        if sys_v is None or dia_v is None:
            return None, "", ""
        return sys_v, f"{_number(sys_v)}/{_number(dia_v)}", "mmHg"
    value, unit = _quantity(r.get("valueQuantity"))
    if value is None:
        return None, "", ""
    return value, _number(value), unit or kind.unit


def _trend(kind: VitalKind, latest: float, previous: float) -> str:
    tolerance = max(kind.tolerance, abs(previous) * 0.02 if kind.key != "hba1c" else 0)
    if latest - previous > tolerance:
        return "up"
    if previous - latest > tolerance:
        return "down"
    return "stable"


def _latest_observations(current: Current) -> tuple[dict[str, list[dict]], list[dict]]:
    """The latest few observations of each kind of vital sign, and of the blood group.

    Three queries: which items carry the codes (blind tokens), their dates, then only the
    chosen items are decrypted.
    """
    kinds = {f"{LOINC}|{c}": k.key for k in VITALS for c in k.codes}
    kinds.update({f"{LOINC}|{c}": "blood" for c in BLOOD_GROUP})
    hits = _code_hits(current, {"Observation": list(kinds)})
    kind_of_id: dict[str, str] = {}
    for token, ids in hits.items():
        for fid in ids:
            kind_of_id[fid] = kinds[token]
    if not kind_of_id:
        return {}, []
    dated = (
        _visible(current, "Observation")
        .filter(fhir_id__in=list(kind_of_id))
        .values_list("fhir_id", "clinical_date", "recorded_at")
    )
    per_kind: dict[str, list[tuple]] = {}
    for fid, day, recorded in dated:
        per_kind.setdefault(kind_of_id[fid], []).append((day or EARLIEST, recorded, fid))
    chosen = set()
    for key, rows in per_kind.items():
        rows.sort(reverse=True)
        chosen |= {fid for _d, _r, fid in rows[: 1 if key == "blood" else 6]}
    qs = _visible(current, "Observation").filter(fhir_id__in=list(chosen))
    opened = _open(current.permit, current.patient_id, qs)
    out: dict[str, list[dict]] = {}
    for r in opened:
        out.setdefault(kind_of_id[r["id"]], []).append(r)
    for rows in out.values():
        rows.sort(
            key=lambda r: (_when(r) or EARLIEST, r.get("meta", {}).get("lastUpdated", "")),
            reverse=True,
        )
    return out, out.pop("blood", [])


def _vitals(current: Current, latest: dict[str, list[dict]]) -> list[Vital]:
    out = []
    for kind in VITALS:
        values = []
        for r in latest.get(kind.key, []):
            if r.get("status") in ("entered-in-error", "cancelled"):
                continue
            number, shown, unit = _vital_value(kind, r)
            if number is not None:
                values.append((number, shown, unit, _when(r)))
            if len(values) == 2:
                break
        if not values:
            continue
        number, shown, unit, when = values[0]
        vital = Vital(kind.key, str(kind.label), shown, unit, when)
        if len(values) == 2 and values[1][2] == unit:
            vital.trend = _trend(kind, number, values[1][0])
            vital.previous = values[1][1]
        out.append(vital)
    return out


def _blood_group(rows: list[dict]) -> str:
    for r in rows:
        if r.get("valueCodeableConcept"):
            return text_of(r["valueCodeableConcept"])
        if r.get("valueString"):
            return str(r["valueString"])
    return ""


def _recent(current: Current) -> list[Item]:
    # The ids first (an index-only sort), then only those few items are decrypted.
    ids = list(
        _visible(current)
        .exclude(resource_type__in=QUIET_TYPES)
        .order_by("-recorded_at", "-clinical_date", "fhir_id")
        .values_list("fhir_id", flat=True)[:SHOWN]
    )
    if not ids:
        return []
    found = {
        r["id"]: r
        for r in _open(
            current.permit, current.patient_id, _visible(current).filter(fhir_id__in=ids)
        )
    }
    return [
        Item(r["resourceType"], r.get("id", ""), title_of(r), when=_when(r))
        for r in (found.get(i) for i in ids)
        if r is not None
    ]


def _shown(current: Current, key: str, items: list[Item]) -> list[Item]:
    if len(items) > SHOWN:
        current.more[key] = len(items) - SHOWN
    return items[:SHOWN]


SUMMARY_TYPES = ("Condition", "AllergyIntolerance", "MedicationRequest", "MedicationStatement")


def summary(actor: Actor, patient_id: int, purpose: str, *, preload=()) -> Current:
    """What is current in a record (NotFound when the actor may not read it); audited once.

    ``preload``: more types to read in the same query, for the caller's use (``resources``).
    """
    permit = access.require(actor, patient_id, Action.READ, purpose, what="summary")
    current = Current(permit=permit, patient_id=patient_id)
    qs = store.restrict(store.current_rows(patient_id), patient_id, permit.view)
    current.counts = {
        r["resource_type"]: r["n"] for r in qs.values("resource_type").annotate(n=Count("id"))
    }
    if not current.counts:
        return current
    has = current.counts.get
    load_types(current, (*SUMMARY_TYPES, *(preload or ())))

    if has("Condition"):
        problems = [r for r in resources(current, "Condition") if _active_problem(r)]
        current.problems = _shown(current, "problems", [_problem_item(r) for r in problems])
    if has("AllergyIntolerance"):
        allergies = [
            r
            for r in resources(current, "AllergyIntolerance")
            if _status(r.get("clinicalStatus")) in ("", "active")
            and not _codes(r.get("verificationStatus")) & {"refuted", "entered-in-error"}
        ]
        known = [r for r in allergies if not _codes(r.get("code")) & NO_KNOWN_ALLERGY]
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
    if has("Observation"):
        latest, blood = _latest_observations(current)
        current.vitals = _vitals(current, latest)
        current.blood_group = _blood_group(blood)
    current.recent = _recent(current)
    return current
