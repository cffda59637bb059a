"""Add a treatment from the medicine list (BDPM): search by name, accents ignored, with or without JS."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import data
from carnet.records import services as records


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


def _statements(user):
    patient = accounts.patient_of(user)
    return records.search(
        Actor.of_user(user), patient.pk, "MedicationStatement", Purpose.SELF
    ).resources


@pytest.mark.no_db
def test_search_ignores_accents_and_case():
    found = data.search_medicines("metformine 500")
    assert found and all("METFORMINE" in m.name and "500" in m.name for m in found)
    assert data.search_medicines("éphédrine") == data.search_medicines("EPHEDRINE")
    assert data.search_medicines("e") == []


def test_the_plain_search_works_without_javascript(client, alice):
    url = reverse("records:entry_add", args=["traitement"])
    response = client.post(url, {"query": "metformine 850", "search": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="medicine"' in html and "METFORMINE" in html
    assert _statements(alice) == []  # searching saves nothing


def test_the_search_for_scripts_is_a_post_and_answers_json(client, alice):
    url = reverse("records:medicine_search")
    assert client.get(url, {"query": "doliprane"}).status_code == 405  # never in a URL
    results = client.post(url, {"query": "doliprane"}).json()["results"]
    assert results and all("DOLIPRANE" in r["name"] for r in results)


def test_it_adds_a_treatment_picked_from_the_list(client, alice):
    med = data.search_medicines("metformine 850")[0]
    response = client.post(
        reverse("records:entry_add", args=["traitement"]),
        {
            "medicine": med.cis,
            "dosage": "1 comprimé matin et soir",
            "since": "2024-01-15",
            "save": "1",
        },
    )
    assert response.status_code == 302
    [statement] = _statements(alice)
    assert statement["status"] == "active"
    assert statement["medicationCodeableConcept"]["coding"] == [
        {"system": "urn:oid:1.2.250.1.213.2.3.1", "code": med.cis, "display": med.name}
    ]
    assert statement["dosage"] == [{"text": "1 comprimé matin et soir"}]
    assert statement["effectivePeriod"] == {"start": "2024-01-15"}
    assert statement["informationSource"]["reference"].startswith("Patient/")
    assert med.name in client.get(reverse("home")).content.decode()


def test_it_adds_a_treatment_typed_by_name(client, alice):
    client.post(
        reverse("records:entry_add", args=["traitement"]), {"name": "tisane maison", "save": "1"}
    )
    [statement] = _statements(alice)
    assert statement["medicationCodeableConcept"] == {"text": "tisane maison"}


def test_it_asks_to_search_or_type_a_name(client, alice):
    response = client.post(reverse("records:entry_add", args=["traitement"]), {"save": "1"})
    assert response.status_code == 400 and _statements(alice) == []
