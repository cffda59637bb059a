"""Shared set-up of the emergency chat tests (no test here): people made through the real services."""

from __future__ import annotations

from carnet.access.services import Actor, Purpose
from carnet.chat import services, triage
from carnet.records import services as records

from .test_sharing_page import citizen, english, pid_of, pro

__all__ = ["NO_FLAGS", "citizen", "english", "on_call_doctor", "opened", "person", "pid_of", "pro"]

NO_FLAGS = {k: "no" for k in triage.KEYS}


def person(name: str = "Karim Benali", *, allergy: bool = True):
    """A citizen whose record holds a Patient and, by default, a serious allergy."""
    user = citizen(name)
    pid = pid_of(user)
    me = Actor.of_user(user)
    patient = records.create(
        me, pid, {"resourceType": "Patient", "name": [{"text": name}]}, Purpose.SELF
    )
    if allergy:
        records.create(
            me,
            pid,
            {
                "resourceType": "AllergyIntolerance",
                "patient": {"reference": f"Patient/{patient['id']}"},
                "code": {"text": "Pénicilline"},
                "criticality": "high",
            },
            Purpose.SELF,
        )
    return user, pid


def on_call_doctor(name: str = "Dr Hugo Rangueil", service: str = "general"):
    doctor = pro(name, profession="médecin généraliste", organisation="Maison de garde")
    services.join(Actor.of_user(doctor), service)
    return doctor


def opened(user, pid, service: str = "general", *, share: bool = False):
    return services.open_chat(Actor.of_user(user), pid, service, NO_FLAGS, shares_dataset=share)
