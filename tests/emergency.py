"""A person with a small readable record, and their emergency card (the ``test_emergency_*`` and ``test_proxy_*`` files)."""

from __future__ import annotations

import re

from django.urls import reverse

from carnet.access import masks
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records

from .people import citizen, practitioner

SNOMED, LOINC = "http://snomed.info/sct", "http://loinc.org"


def emergency_doctor(name: str = "Dr Lucie Purpan"):
    """An emergency doctor with no grant on anyone's record (people.practitioner, in French)."""
    return practitioner(name, "médecin urgentiste", "", language="fr")


def _cc(system: str, code: str, text: str) -> dict:
    return {"coding": [{"system": system, "code": code}], "text": text}


def readable_record(owner=None) -> tuple:
    """(owner, patient_id, {name: id}): a diabetic man with words people can read."""
    owner = owner or citizen("Karim Haddad", language="fr")
    pid = accounts.patient_of(owner).pk
    me = Actor.of_user(owner)
    patient = records.create(
        me,
        pid,
        {
            "resourceType": "Patient",
            "name": [{"use": "official", "family": "Haddad", "given": ["Karim"]}],
            "birthDate": "1966-04-12",
            "contact": [
                {
                    "relationship": [{"text": "Épouse"}],
                    "name": {"family": "Haddad", "given": ["Samia"]},
                    "telecom": [{"system": "phone", "value": "06 11 22 33 44"}],
                }
            ],
        },
        Purpose.SELF,
    )
    subj = {"reference": f"Patient/{patient['id']}"}
    active = {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active",
            }
        ]
    }
    items = {
        "allergy": {
            "resourceType": "AllergyIntolerance",
            "code": _cc(SNOMED, "91936005", "Allergie à la pénicilline"),
            "patient": subj,
            "criticality": "high",
        },
        "diabetes": {
            "resourceType": "Condition",
            "clinicalStatus": active,
            "code": _cc(SNOMED, "44054006", "Diabète de type 2"),
            "subject": subj,
        },
        "metformin": {
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": _cc(
                "http://www.nlm.nih.gov/research/umls/rxnorm", "861007", "Metformine 1000 mg"
            ),
            "dosageInstruction": [{"text": "1 comprimé matin et soir"}],
            "subject": subj,
        },
        "blood_group": {
            "resourceType": "Observation",
            "status": "final",
            "code": _cc(LOINC, "882-1", "Groupe sanguin"),
            "valueCodeableConcept": {"text": "B positif"},
            "subject": subj,
        },
        "hba1c": {
            "resourceType": "Observation",
            "status": "final",
            "code": _cc(LOINC, "4548-4", "Hémoglobine glyquée"),
            "valueQuantity": {"value": 7.1, "unit": "%"},
            "effectiveDateTime": "2025-01-10",
            "subject": subj,
        },
        "knee": {
            "resourceType": "Observation",
            "status": "final",
            "code": _cc(LOINC, "8867-4", "Cicatrice du genou cachée"),
            "effectiveDateTime": "2024-05-01",
            "subject": subj,
        },
    }
    made = {"patient": patient["id"]}
    for name, res in items.items():
        made[name] = records.create(me, pid, res, Purpose.SELF)["id"]
    masks.set_mask(me, pid, "Observation", made["knee"], hide_in_emergency=True)
    return owner, pid, made


def make_card(client, owner) -> tuple[str, str]:
    """(card page html, card address) as the person prints it."""
    client.force_login(owner)
    page = client.post(reverse("coffre:card_new"))
    assert page.status_code == 200
    html = page.content.decode()
    url = re.search(r'class="token">([^<]+)<', html).group(1)
    return html, url
