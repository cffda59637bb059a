"""A record with one item of each interesting kind, and what an actor may read of it (the ``test_access_*`` files)."""

from __future__ import annotations

from carnet.access import emergency, grants, labels
from carnet.access import services as access
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import services

from .people import citizen, pro

SNOMED, LOINC = labels.SNOMED, labels.LOINC


def _cc(system, code):
    return {"coding": [{"system": system, "code": code}]}


ACTIVE = _cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")


def items(pid_ref: str) -> dict[str, dict]:
    """One resource per interesting case, keyed by a short name."""
    subj = {"reference": pid_ref}
    return {
        "diabetes": {
            "resourceType": "Condition",
            "clinicalStatus": ACTIVE,
            "code": _cc(SNOMED, "44054006"),
            "subject": subj,
        },
        "depression": {
            "resourceType": "Condition",
            "clinicalStatus": ACTIVE,
            "code": _cc(SNOMED, "35489007"),
            "subject": subj,
        },
        "hiv_test": {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                _cc("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")
            ],
            "code": _cc(LOINC, "75622-1"),
            "subject": subj,
        },
        "glucose": {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                _cc("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")
            ],
            "code": _cc(LOINC, "2339-0"),
            "subject": subj,
            "effectiveDateTime": "2024-03-01",
        },
        "knee": {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                _cc("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")
            ],
            "code": _cc(LOINC, "8867-4"),
            "subject": subj,
        },
        "blood_group": {
            "resourceType": "Observation",
            "status": "final",
            "code": _cc(LOINC, "882-1"),
            "subject": subj,
        },
        "allergy": {
            "resourceType": "AllergyIntolerance",
            "code": _cc(SNOMED, "91936005"),
            "patient": subj,
        },
        "insulin": {
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": _cc(
                "http://www.nlm.nih.gov/research/umls/rxnorm", "311041"
            ),
            "subject": subj,
        },
        "flu_vaccine": {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": _cc("http://hl7.org/fhir/sid/cvx", "140"),
            "patient": subj,
            "occurrenceDateTime": "2023-10-01",
        },
        "secret_note": {
            "resourceType": "Observation",
            "status": "final",
            "meta": {"security": [{"system": labels.CONFIDENTIALITY_SYSTEM, "code": "V"}]},
            "code": _cc(LOINC, "11506-3"),
            "subject": subj,
        },
    }


def record_with_items(owner=None):
    """(owner, patient_id, {name: (type, id)}) with a Patient and the ``items`` above."""
    owner = owner or citizen()
    pid = accounts.patient_of(owner).pk
    me = Actor.of_user(owner)
    patient = services.create(
        me, pid, {"resourceType": "Patient", "name": [{"family": "Durand"}]}, Purpose.SELF
    )
    made = {"patient": ("Patient", patient["id"])}
    for name, res in items(f"Patient/{patient['id']}").items():
        r = services.create(me, pid, res, Purpose.SELF)
        made[name] = (r["resourceType"], r["id"])
    return owner, pid, made


def visible_ids(actor: Actor, pid: int) -> set[tuple[str, str]]:
    """What an actor sees through $everything (empty set when denied)."""
    try:
        found = services.everything(actor, pid, access.purpose_for(actor, pid))
    except NotFound:
        return set()
    return {(r["resourceType"], r["id"]) for r in found if r["resourceType"] != "Practitioner"}


def can_read(actor: Actor, ref: tuple[str, str]) -> bool:
    pid = services.owner_patient_of(*ref)
    try:
        services.read(actor, ref[0], ref[1], access.purpose_for(actor, pid))
        return True
    except NotFound:
        return False


def looked_at_record():
    """A record that a physiotherapist, a stranger and an emergency doctor looked at."""
    owner, pid, made = record_with_items(citizen())
    physio = pro()
    stranger = pro("Dr Curieux", "médecin", "Clinique du Coin")
    er = pro("Dr Urgences", "médecin urgentiste", "CHU Purpan")
    grants.share(Actor.of_user(owner), pid, physio.pk, categories=["measurements"])
    assert can_read(Actor.of_user(physio), made["knee"])
    assert not can_read(Actor.of_user(physio), made["depression"])
    assert not can_read(Actor.of_user(stranger), made["knee"])
    emergency.break_glass(Actor.of_user(er), pid, "malaise sur la voie publique")
    assert can_read(Actor.of_user(er), made["allergy"])
    return owner, pid, made, physio, stranger, er
