"""Shared set-up of the Plateforme tests (no test here): people and records made through the real services."""

from __future__ import annotations

from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.records import services as records

from .test_sharing_page import citizen, english, pid_of, pro

__all__ = [
    "citizen",
    "doctor_of",
    "english",
    "first_free",
    "open_every_day",
    "person_with_treatment",
    "pid_of",
    "pro",
]


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


def open_every_day(doctor, types=(("Consultation", 20),)):
    """Publish hours on every day of the week, so that tomorrow always has free times."""
    from carnet.care import appointments

    appointments.publish(
        Actor.of_user(doctor),
        {d: [["08:00", "12:00"], ["14:00", "19:00"]] for d in range(7)},
        list(types),
    )
    return appointments.schedule_of(doctor.pk)[1][0]


def first_free(doctor, kind, n=0):
    from carnet.care import appointments

    slots = appointments.free_slots(doctor.pk, kind.pk)
    return [t for day in sorted(slots) for t in slots[day]][n]
