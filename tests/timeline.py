"""A small record in a bundle (a doctor, a visit, results, a vaccine, a treatment, a bill), imported for a citizen; a search of it."""

from __future__ import annotations

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports, services

from .helpers import citizen

PRO = "Practitioner/dr"


def _obs(key, code, text, day, value, unit, *, low=None, high=None, category="laboratory", **kw):
    res = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": category,
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}], "text": text},
        "subject": {"reference": "urn:uuid:p"},
        "effectiveDateTime": day,
        "valueQuantity": {"value": value, "unit": unit},
    }
    if low is not None:
        res["referenceRange"] = [
            {"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}
        ]
    res.update(kw)
    return {"fullUrl": f"urn:uuid:{key}", "resource": res}


def record_bundle() -> dict:
    """A small record: a doctor, a visit, lab results, a weight, a vaccine, a treatment, a bill."""
    entries = [
        {
            "fullUrl": "urn:uuid:p",
            "resource": {"resourceType": "Patient", "name": [{"family": "Haddad"}]},
        },
        {
            "fullUrl": "urn:uuid:dr",
            "resource": {
                "resourceType": "Practitioner",
                "identifier": [{"system": "http://rpps.fr", "value": "10999990012"}],
                "name": [{"prefix": ["Dr"], "given": ["Claire"], "family": "Garonne"}],
            },
        },
        {
            "fullUrl": "urn:uuid:enc",
            "resource": {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"code": "AMB"},
                "type": [{"text": "Consultation de diabétologie"}],
                "subject": {"reference": "urn:uuid:p"},
                "participant": [{"individual": {"reference": "urn:uuid:dr"}}],
                "period": {"start": "2024-03-12T09:00:00+01:00"},
            },
        },
        _obs("a1", "4548-4", "Hémoglobine glyquée (HbA1c)", "2023-06-01", 8.1, "%", low=4, high=6),
        _obs("a2", "4548-4", "Hémoglobine glyquée (HbA1c)", "2023-12-01", 7.4, "%", low=4, high=6),
        _obs(
            "a3",
            "4548-4",
            "Hémoglobine glyquée (HbA1c)",
            "2024-03-05",
            5.6,
            "%",
            low=4,
            high=6,
            encounter={"reference": "urn:uuid:enc"},
            interpretation=[{"text": "Bien équilibré, on continue ainsi."}],
        ),
        _obs("g1", "1558-6", "Glycémie à jeun", "2024-03-04", 0.6, "g/L", low=0.7, high=1.1),
        _obs("w1", "29463-7", "Poids", "2022-06-01", 92.5, "kg", category="vital-signs"),
        {
            "fullUrl": "urn:uuid:vac",
            "resource": {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": {"text": "Grippe saisonnière"},
                "patient": {"reference": "urn:uuid:p"},
                "occurrenceDateTime": "2023-10-20",
                "performer": [{"actor": {"reference": "urn:uuid:dr"}}],
            },
        },
        {
            "fullUrl": "urn:uuid:med",
            "resource": {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "medicationCodeableConcept": {"text": "Metformine 1000 mg"},
                "subject": {"reference": "urn:uuid:p"},
                "authoredOn": "2022-01-10",
                "requester": {"reference": "urn:uuid:dr"},
            },
        },
        {
            "fullUrl": "urn:uuid:cond",
            "resource": {
                "resourceType": "Condition",
                "verificationStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "confirmed",
                        }
                    ]
                },
                "code": {"text": "Diabète de type 2"},
                "subject": {"reference": "urn:uuid:p"},
                "onsetDateTime": "2019-05-02",
            },
        },
        {
            "fullUrl": "urn:uuid:bill",
            "resource": {
                "resourceType": "Claim",
                "status": "active",
                "type": {"text": "professional"},
                "use": "claim",
                "patient": {"reference": "urn:uuid:p"},
                "created": "2024-03-12",
                "provider": {"reference": "urn:uuid:dr"},
                "priority": {"text": "normal"},
                "insurance": [
                    {"sequence": 1, "focal": True, "coverage": {"display": "Assurance Maladie"}}
                ],
            },
        },
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def make_record(email: str = "karim@example.org"):
    """A citizen with the record above; returns (user, patient id, {name in bundle: item id})."""
    user = citizen(email)
    patient = accounts.patient_of(user)
    bundle = record_bundle()
    result = imports.import_bundle(
        Actor.of_user(user), bundle, patient_id=patient.pk, filename="dmp.json"
    )
    ids = {}
    for entry, (_t, fid, _v) in zip(bundle["entry"], result.locations, strict=True):
        ids[entry["fullUrl"].removeprefix("urn:uuid:")] = fid
    return user, patient.pk, ids


def found_ids(user, pid, query, purpose=Purpose.SELF) -> set[str]:
    listing = services.search_text(Actor.of_user(user), pid, purpose, query)
    return {r["id"] for r in listing.resources}
