"""A practitioner with no grant states a reason and opens the emergency information.

Also holds the helpers of the other ``test_emergency_*`` and ``test_proxy_*`` files: a
person with a small readable record, practitioners and relatives, all made through the
real services.
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from carnet.access import masks, signals
from carnet.access.models import AuditEntry, EmergencyAccess
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records

from .helpers import practitioner_account

_n = itertools.count(1)
SNOMED, LOINC = "http://snomed.info/sct", "http://loinc.org"


@pytest.fixture
def events():
    got = []

    def receiver(sender, **kw):
        got.append(kw)

    signals.access_event.connect(receiver)
    yield got
    signals.access_event.disconnect(receiver)


def citizen(name: str = "Karim Haddad"):
    slug = name.lower().replace(" ", ".")
    return accounts.create_user(f"{slug}-{next(_n)}@example.org", None, display_name=name)


def practitioner(name: str = "Dr Lucie Purpan"):
    n = next(_n)
    return practitioner_account(
        f"doc-{n}@example.org",
        None,
        role="practitioner",
        rpps=f"{20000000000 + n}",
        display_name=name,
        profession="médecin urgentiste",
    )


def _cc(system: str, code: str, text: str) -> dict:
    return {"coding": [{"system": system, "code": code}], "text": text}


def readable_record(owner=None) -> tuple:
    """(owner, patient_id, {name: id}): a diabetic man with words people can read."""
    owner = owner or citizen()
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


def test_it_opens_the_emergency_information_with_a_reason(
    client, django_capture_on_commit_callbacks, events
):
    owner, pid, made = readable_record()
    doc = practitioner()
    client.force_login(doc)
    page = client.get(reverse("coffre:emergency"))
    assert page.status_code == 200 and b'name="reason"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("coffre:emergency"),
            {"email": owner.email, "reason": "Inconscient, amené par les pompiers"},
        )
    assert done.status_code == 302
    assert done["Location"] == reverse("coffre:emergency_record", args=[pid])
    # The person is told at once (urgently) and the access is flagged for review.
    assert [(e["event"], e["urgent"]) for e in events] == [("emergency", True)]
    assert AuditEntry.objects.filter(
        patient_id=pid, action="break_glass", decision="permit", flagged=True
    ).exists()

    shown = client.get(done["Location"])
    html = shown.content.decode()
    assert shown.status_code == 200
    for words in (
        "Karim Haddad",
        "Allergie à la pénicilline",
        "Diabète de type 2",
        "Metformine 1000 mg",
        "1 comprimé matin et soir",
        "B positif",
        "Samia Haddad",
        "06 11 22 33 44",
        "Hémoglobine glyquée",  # not in the dataset, not masked: shown below it
    ):
        assert words in html, words
    assert "Cicatrice du genou" not in html  # hidden from emergencies by the person
    assert 'class="emergency-banner"' in html and 'data-part="h">3<' in html
    assert 'data-expires="' in html
    assert AuditEntry.objects.filter(
        patient_id=pid, action="read", purpose="emergency", flagged=True
    ).exists()


def test_it_can_be_closed_before_the_end(client):
    owner, pid, _made = readable_record()
    client.force_login(practitioner())
    client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "AVC"})
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 200
    closed = client.post(reverse("coffre:emergency_end", args=[pid]))
    assert closed.status_code == 302
    assert not EmergencyAccess.objects.filter(patient_id=pid, ended_at__isnull=True).exists()
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 404


def test_an_unknown_address_opens_nothing_and_says_what_to_do(client):
    client.force_login(practitioner())
    page = client.post(
        reverse("coffre:emergency"), {"email": "nobody@example.org", "reason": "chute"}
    )
    assert page.status_code == 400 and b'role="alert"' in page.content
    assert not EmergencyAccess.objects.exists()
