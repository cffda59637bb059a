"""Browsing the timeline: every item newest first, in plain words, filtered and paged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports, services

from .helpers import practitioner_account

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
    user = accounts.create_user(email, "a long enough passphrase", role="citizen")
    patient = accounts.patient_of(user)
    bundle = record_bundle()
    result = imports.import_bundle(
        Actor.of_user(user), bundle, patient_id=patient.pk, filename="dmp.json"
    )
    ids = {}
    for entry, (_t, fid, _v) in zip(bundle["entry"], result.locations, strict=True):
        ids[entry["fullUrl"].removeprefix("urn:uuid:")] = fid
    return user, patient.pk, ids


@pytest.fixture
def karim():
    return make_record()


def _items(html: str, ids: dict) -> list[str]:
    """Which items of the fixture a page links to, in page order."""
    found = []
    for name, fid in ids.items():
        pos = html.find(reverse("records:item", args=[fid]))
        if pos >= 0:
            found.append((pos, name))
    return [n for _p, n in sorted(found)]


def test_it_sends_anonymous_people_to_sign_in(client):
    response = client.get(reverse("records:timeline"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_lists_every_item_newest_first_without_bills(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    response = client.get(reverse("records:timeline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _items(html, ids) == ["enc", "a3", "g1", "a2", "vac", "a1", "w1", "med", "cond"]
    # What, when, who in plain words; the bill is under its own kind.
    assert "Consultation de diabétologie" in html and "12 mars 2024" in html
    assert "Dr Claire Garonne" in html
    assert "5,6 %" in html
    assert "bill" not in _items(html, ids)


def test_it_filters_by_kind_period_and_practitioner(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    url = reverse("records:timeline")
    html = client.get(url, {"type": "results"}).content.decode()
    assert _items(html, ids) == ["a3", "g1", "a2", "a1"]  # the weight is a measurement
    html = client.get(url, {"type": "measurements"}).content.decode()
    assert _items(html, ids) == ["w1"]
    html = client.get(url, {"type": "administrative"}).content.decode()
    assert _items(html, ids) == ["bill"]
    html = client.get(url, {"du": "2023-10-01", "au": "2024-03-05"}).content.decode()
    assert _items(html, ids) == ["a3", "g1", "a2", "vac"]
    dr = ids["dr"]
    html = client.get(url, {"pro": dr}).content.decode()
    # Her visit, the result of that visit, the vaccine she gave, the treatment she prescribed.
    assert _items(html, ids) == ["enc", "a3", "vac", "med"]
    assert f'<option value="{dr}"' in html and "Dr Claire Garonne" in html


def test_it_explains_a_period_upside_down_and_ignores_bad_values(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    url = reverse("records:timeline")
    with translation.override("fr"):
        swapped = translation.gettext(
            "The end of the period comes before its start: swap the two dates."
        )
    response = client.get(url, {"du": "2024-01-01", "au": "2023-01-01"})
    assert response.status_code == 200
    assert swapped in response.content.decode()
    response = client.get(url, {"type": "nonsense", "pro": "../x", "page": "abc"})
    assert response.status_code == 200
    assert len(_items(response.content.decode(), ids)) == 9


def test_it_pages_through_a_long_record(client, karim):
    user, pid, ids = karim
    actor = Actor.of_user(user)
    first = services.timeline(actor, pid, Purpose.SELF, per_page=4)
    second = services.timeline(actor, pid, Purpose.SELF, per_page=4, page=2)
    third = services.timeline(actor, pid, Purpose.SELF, per_page=4, page=3)
    assert first.total == 9 and first.pages == 3
    seen = [r["id"] for p in (first, second, third) for r in p.resources]
    assert len(seen) == len(set(seen)) == 9
    client.force_login(user)
    html = client.get(reverse("records:timeline"), {"page": 99}).content.decode()
    assert len(_items(html, ids)) == 9  # past the end: the last page


def test_a_practitioner_sees_only_what_is_shared_and_never_masked_items(karim):
    from carnet.access import masks

    user, pid, ids = karim
    doctor = practitioner_account(
        "dr@example.org", "a long enough passphrase", role="practitioner", rpps="10101010101"
    )
    owner = Actor.of_user(user)
    grants.share(owner, pid, doctor.pk, categories=["results"], duration=timedelta(days=30))
    masks.set_mask(owner, pid, "Observation", ids["g1"], audience="self")
    listing = services.timeline(Actor.of_user(doctor), pid, Purpose.TREATMENT)
    assert {r["id"] for r in listing.resources} == {ids["a1"], ids["a2"], ids["a3"]}
    assert listing.total == 3


def test_another_person_sees_nothing_of_mine(client, karim):
    _user, _pid, ids = karim
    other = accounts.create_user("eve@example.org", "a long enough passphrase", role="citizen")
    accounts.ensure_own_patient(other)
    client.force_login(other)
    html = client.get(reverse("records:timeline")).content.decode()
    assert _items(html, ids) == []
    assert client.get(reverse("records:item", args=[ids["a3"]])).status_code == 404
