"""What the reminders need of a person's record, read through ``records`` (which asks ``access``).

``Snapshot`` holds the decrypted resources for the duration of one computation; nothing
of it is kept. ``load`` reads the whole current record in one audited call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor, Permit, Purpose
from carnet.accounts.models import Patient
from carnet.records import dates
from carnet.records import services as records
from carnet.records.fhir import clinical_date_precision, clinical_date_text

from . import rules


def tokens(concept) -> set[str]:
    """'system|code' and bare 'code' tokens of a CodeableConcept (or a list of them)."""
    out: set[str] = set()
    concepts = concept if isinstance(concept, list) else [concept]
    for c in concepts:
        if not isinstance(c, dict):
            continue
        for coding in c.get("coding") or []:
            if isinstance(coding, dict) and coding.get("code"):
                code = str(coding["code"])
                out.add(f"{coding.get('system') or ''}|{code}")
    return out


def matches(resource_tokens: set[str], wanted) -> bool:
    """Whether any token matches; ICD-10 codes also match by their category prefix (E11 → E11.9)."""
    for w in wanted:
        if w in resource_tokens:
            return True
        if "icd-10" in w:
            prefix = w + "."
            if any(t.startswith(prefix) for t in resource_tokens):
                return True
    return False


CODE_FIELDS = ("code", "vaccineCode", "medicationCodeableConcept", "type")


def resource_tokens(resource: dict) -> set[str]:
    out: set[str] = set()
    for name in CODE_FIELDS:
        if name in resource:
            out |= tokens(resource[name])
    return out


def local_date(value) -> date | None:
    """The day of a FHIR date (as written: never through a time zone) or of a moment (local)."""
    if isinstance(value, str):
        return dates.day(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else None


@dataclass(frozen=True)
class Given:
    """One vaccine given: the Immunization's id, its day and the diseases it covers."""

    id: str
    day: date
    antigens: frozenset[str]
    precision: str = "day"  # "year" or "month" when its source said no more (« 1975 »)


def vaccination_day(r: dict) -> date | None:
    """The day a vaccine was given (else the day it was recorded, as the calendar reads it)."""
    return local_date(r.get("occurrenceDateTime") or r.get("recorded"))


def vaccination_precision(r: dict) -> str:
    """How much of ``vaccination_day`` its source gave: "year", "month" or "day"."""
    if r.get("occurrenceDateTime"):
        return clinical_date_precision({"occurrenceDateTime": r["occurrenceDateTime"]})
    return clinical_date_precision({"recorded": r.get("recorded")})


def _lot(r: dict) -> str:
    return rules.fold_words(str(r.get("lotNumber") or "")).replace(" ", "")


def _same_act(a: dict, b: dict) -> bool:
    """Two Immunizations that record one act: the same day, status and vaccine (the same
    diseases, or one a part of the other's when both give the same lot number), the same
    lot when both give one. An unrecognised vaccine matches only the same name."""
    day = vaccination_day(a)
    if day is None or day != vaccination_day(b):
        return False
    if a.get("status", "completed") != b.get("status", "completed"):
        return False
    lot_a, lot_b = _lot(a), _lot(b)
    if lot_a and lot_b and lot_a != lot_b:
        return False
    ag_a, ag_b = rules.antigens_of(a.get("vaccineCode")), rules.antigens_of(b.get("vaccineCode"))
    if ag_a or ag_b:
        if ag_a == ag_b:
            return True
        return bool(lot_a and lot_b and (ag_a <= ag_b or ag_b <= ag_a))
    words = (rules.fold_words(str((x.get("vaccineCode") or {}).get("text") or "")) for x in (a, b))
    first, second = words
    return bool(first) and first == second


def _richness(r: dict) -> tuple:
    return (-len(rules.antigens_of(r.get("vaccineCode"))), str(r.get("id") or ""))


def vaccination_acts(immunizations: list[dict]) -> list[list[dict]]:
    """The Immunizations grouped by act: one act recorded in two documents (the same vaccine,
    day and lot) is one group, its most complete item first. Nothing is dropped."""
    groups: list[list[dict]] = []
    for r in immunizations:
        for group in groups:
            if any(_same_act(r, other) for other in group):
                group.append(r)
                break
        else:
            groups.append([r])
    return [sorted(g, key=_richness) for g in groups]


@dataclass
class Snapshot:
    """A record as read through access, with the permit it was read under (which opens
    the reminders' own data of the record: programmes, choices, agenda, notes)."""

    patient_id: int
    resources: list[dict] = field(default_factory=list)
    permit: Permit | None = None

    def __post_init__(self):
        self.by_type: dict[str, list[dict]] = {}
        for r in self.resources:
            self.by_type.setdefault(r.get("resourceType", ""), []).append(r)

    def of(self, resource_type: str) -> list[dict]:
        return self.by_type.get(resource_type, [])

    @property
    def patient(self) -> dict:
        found = self.of("Patient")
        return found[0] if found else {}

    @property
    def birth_date(self) -> date | None:
        value = self.patient.get("birthDate")
        return local_date(value) if value else None

    @property
    def sex(self) -> str:
        return self.patient.get("gender") or "unknown"

    def dated(self, resource: dict) -> date | None:
        return local_date(clinical_date_text(resource))

    def given_vaccines(self) -> list[Given]:
        """Every completed Immunization whose diseases Carnet knows, with its day, oldest first."""
        out = []
        completed = [
            r for r in self.of("Immunization") if r.get("status", "completed") == "completed"
        ]
        for group in vaccination_acts(completed):  # one act in two documents is one dose
            r = group[0]
            day = vaccination_day(r)
            antigens = set().union(*(rules.antigens_of(x.get("vaccineCode")) for x in group))
            if day and antigens:
                rid, precision = str(r.get("id") or id(r)), vaccination_precision(r)
                out.append(Given(rid, day, frozenset(antigens), precision=precision))
        return sorted(out, key=lambda g: (g.day, g.id))

    def immunizations(self) -> list[tuple[date, set[str]]]:
        """(date, antigens) of every completed Immunization, oldest first."""
        return [(g.day, set(g.antigens)) for g in self.given_vaccines()]

    def active_conditions(self) -> list[dict]:
        out = []
        for r in self.of("Condition"):
            status = tokens(r.get("clinicalStatus"))
            codes = {t.split("|")[-1] for t in status}
            if codes and not codes & {"active", "recurrence", "relapse"}:
                continue
            if r.get("abatementDateTime") or r.get("abatementPeriod"):
                continue
            ver = {t.split("|")[-1] for t in tokens(r.get("verificationStatus"))}
            if ver & {"refuted", "entered-in-error"}:
                continue
            out.append(r)
        return out

    def has_condition(self, codes) -> dict | None:
        for r in self.active_conditions():
            if matches(tokens(r.get("code")), codes):
                return r
        return None

    def matching(self, match: dict) -> list[tuple[date, dict]]:
        """(date, resource) of resources of the given types matching the given codes.

        ``match`` is ``{type: [tokens]}``; an empty token list matches every resource of
        that type. Planned or cancelled items do not count as done.
        """
        out = []
        for rtype, wanted in match.items():
            for r in self.of(rtype):
                if r.get("status") in ("planned", "cancelled", "entered-in-error", "draft"):
                    continue
                if wanted and not matches(resource_tokens(r), wanted):
                    continue
                day = self.dated(r)
                if day:
                    out.append((day, r))
        return sorted(out, key=lambda x: x[0])

    def last_matching(self, match: dict, *, on: date | None = None) -> date | None:
        days = [d for d, _ in self.matching(match) if on is None or d <= on]
        return days[-1] if days else None


def owner_actor(patient_id: int, label: str = "Carnet reminders") -> Actor | None:
    """The person's own reminders service: reads their record for them, as themself."""
    p = Patient.objects.filter(pk=patient_id).select_related("owner").first()
    if p is None or p.owner is None:
        return None
    return Actor(user_id=p.owner.pk, role=p.owner.role, label=label)


def load(actor: Actor, patient_id: int, purpose: str | None = None) -> Snapshot:
    """The current record (NotFound when the actor may not read it); every read is audited."""
    if actor.user_id is None:
        # The command line (an operator) has no reading right of its own: it exports, as
        # for `carnet export`, and that shows in the person's access history.
        permit = access.require(
            actor, patient_id, Action.EXPORT, Purpose.OPERATIONS, what="FHIR bundle"
        )
    else:
        if purpose is None and actor.role == "citizen":
            # A citizen reads someone else's reminders only as their proxy: a refusal says so
            # in the person's history (« the proxy you gave them ended on … »).
            purpose = access.person_side(actor, patient_id, Action.READ, what="$everything")
        purpose = purpose or records.self_purpose(actor, patient_id)
        permit = access.require(actor, patient_id, Action.READ, purpose, what="$everything")
    return Snapshot(patient_id, records.whole_record(permit), permit)
