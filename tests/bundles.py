"""Small FHIR bundles for the tests and the reminders benchmark (a person, their vaccines, results, treatments)."""

from __future__ import annotations

import datetime as dt
from datetime import date

from django.utils import timezone

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports
from carnet.reminders import services

from .helpers import citizen

ATC = "http://www.whocc.no/atc"
CVX = "http://hl7.org/fhir/sid/cvx"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"


class Bundle:
    def __init__(self, birth: date, gender: str = "female", **patient):
        self.entries: list[dict] = []
        self.patient = self.add(
            {"resourceType": "Patient", "birthDate": birth.isoformat(), "gender": gender, **patient}
        )

    def add(self, resource: dict) -> dict:
        url = f"urn:uuid:00000000-0000-4000-8000-{len(self.entries):012d}"
        self.entries.append(
            {
                "fullUrl": url,
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
        )
        return {"reference": url}

    def vaccine(self, day: date, code: str, system: str = ATC) -> dict:
        return self.add({
            "resourceType": "Immunization", "status": "completed",
            "vaccineCode": {"coding": [{"system": system, "code": code}]},
            "patient": self.patient, "occurrenceDateTime": day.isoformat(),
        })  # fmt: skip

    def typed_vaccine(self, day: date, text: str, coding: dict | None = None) -> dict:
        """A vaccine as a person or a source wrote it: its words, maybe a coding."""
        concept = {"text": text} if text else {}
        if coding:
            concept["coding"] = [coding]
        return self.add({
            "resourceType": "Immunization", "status": "completed", "vaccineCode": concept,
            "patient": self.patient, "occurrenceDateTime": day.isoformat(),
        })  # fmt: skip

    def condition(self, day: date, code: str, system: str = SNOMED) -> dict:
        return self.add({
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "code": {"coding": [{"system": system, "code": code}]},
            "subject": self.patient, "onsetDateTime": day.isoformat(),
        })  # fmt: skip

    def observation(self, day: date, code: str, system: str = LOINC, **value) -> dict:
        return self.add({
            "resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": system, "code": code}]},
            "subject": self.patient, "effectiveDateTime": day.isoformat(), **value,
        })  # fmt: skip

    def encounter(self, day: date, code: str, system: str = SNOMED) -> dict:
        return self.add({
            "resourceType": "Encounter", "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [{"coding": [{"system": system, "code": code}]}],
            "subject": self.patient, "period": {"start": day.isoformat(), "end": day.isoformat()},
        })  # fmt: skip

    def medication(self, authored: date, name: str, repeat: dict | None, *, end: date | None = None, status: str = "active", text: str = "", supply_days: int | None = None, repeats: int = 0) -> dict:  # fmt: skip
        dosage: dict = {"text": text or name}
        if repeat is not None:
            dosage["timing"] = {"repeat": repeat}
        disp: dict = {"numberOfRepeatsAllowed": repeats}
        if end:
            disp["validityPeriod"] = {"start": authored.isoformat(), "end": end.isoformat()}
        if supply_days:
            disp["expectedSupplyDuration"] = {
                "value": supply_days,
                "unit": "days",
                "system": "http://unitsofmeasure.org",
                "code": "d",
            }
        return self.add({
            "resourceType": "MedicationRequest", "status": status, "intent": "order",
            "medicationCodeableConcept": {"text": name},
            "subject": self.patient, "authoredOn": authored.isoformat(),
            "dosageInstruction": [dosage], "dispenseRequest": disp,
        })  # fmt: skip

    def bundle(self) -> dict:
        return {"resourceType": "Bundle", "type": "transaction", "entry": self.entries}


def person(email: str, b: Bundle):
    """A citizen account whose record is the bundle (imported through records.imports)."""
    user = citizen(email)
    patient = accounts.patient_of(user)
    imports.import_bundle(
        Actor.operator(), b.bundle(), patient_id=patient.pk, filename="test.json",
        purpose=Purpose.OPERATIONS,
    )  # fmt: skip
    return user, patient.pk


def karim_on_metformin(email="karim.share@example.org"):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=59 * 365), "male")
    b.medication(
        today - dt.timedelta(days=30), "Metformine 1000 mg",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, supply_days=90,
    )  # fmt: skip
    user, pid = person(email, b)
    me = Actor.of_user(user)
    ov = services.overview(me, pid)
    yesterday = ov.on - dt.timedelta(days=1)
    morning, evening = ov.treatments[0].slots(yesterday)
    services.record_intake(me, pid, ov.treatments[0].id, morning, "taken")
    services.record_intake(me, pid, ov.treatments[0].id, evening, "skipped")
    return user, pid
