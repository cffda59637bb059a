"""Shared set-up of the Plateforme tests (no test here): people and records made through the real services."""

from __future__ import annotations

from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.records import services as records

from .test_sharing_page import citizen, english, pid_of, pro

__all__ = ["citizen", "english", "pid_of", "pro", "person_with_treatment", "doctor_of"]


def person_with_treatment(name: str = "Karim Benali"):
    """(person, patient_id, treatment id): a record with a Patient and metformin taken daily."""
    person = citizen(name)
    pid = pid_of(person)
    me = Actor.of_user(person)
    patient = records.create(
        me, pid, {"resourceType": "Patient", "name": [{"family": "Benali"}]}, Purpose.SELF
    )
    med = records.create(
        me,
        pid,
        {
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationCodeableConcept": {"text": "Metformine 1000 mg"},
            "subject": {"reference": f"Patient/{patient['id']}"},
            "dosage": [{"text": "1 comprimé matin et soir"}],
        },
        Purpose.SELF,
    )
    return person, pid, med["id"]


def doctor_of(person, name: str = "Dr Claire Martin"):
    """A general practitioner named médecin traitant of ``person`` (may add to the record)."""
    doctor = pro(name, profession="médecin généraliste", organisation="Cabinet Saint-Cyprien")
    grants.set_referent(Actor.of_user(person), pid_of(person), doctor.pk)
    return doctor
