"""The home page: a citizen's summary in plain words; a welcome for everyone else."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports
from carnet.records.words import summarise

from . import people
from .people import practitioner_account

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1"}},
        *[
            {
                "fullUrl": f"urn:uuid:o{i}",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "poids"},
                    "subject": {"reference": "urn:uuid:p1"},
                },
            }
            for i in range(3)
        ],
        {
            "fullUrl": "urn:uuid:i1",
            "resource": {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": {"text": "grippe"},
                "patient": {"reference": "urn:uuid:p1"},
                "occurrenceDateTime": "2024-10-01",
            },
        },
    ],
}


@pytest.fixture
def citizen():
    return people.citizen("Alice", email="alice@example.org", language="fr")


def test_it_shows_the_front_door_to_anonymous_people(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "web/front_door.html"
    assert f'href="{reverse("account_login")}"' in response.content.decode()


def test_it_says_an_empty_record_is_empty(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Votre dossier est vide pour le moment." in html
    assert reverse("records:import") in html and reverse("records:export") in html


def test_it_counts_the_record_in_plain_words(client, citizen):
    patient = accounts.patient_of(citizen)
    imports.import_bundle(
        Actor.of_user(citizen), BUNDLE, patient_id=patient.pk, purpose=Purpose.SELF
    )
    client.force_login(citizen)
    html = client.get(reverse("home")).content.decode()
    assert "Résultats et mesures" in html
    assert "Vaccins" in html
    assert "Observation" not in html and "Immunization" not in html
    assert "Bonjour, <bdi>Alice</bdi>." in html
    assert "Votre dossier contient 4 éléments." in html


def test_it_welcomes_a_practitioner_without_a_record(client):
    doctor = practitioner_account(
        "dr@example.org", "correct horse battery", role="practitioner", rpps="10101010101"
    )
    client.force_login(doctor)
    html = client.get(reverse("home")).content.decode()
    assert "professionnel de santé" in html
    assert "Votre dossier" not in html


@pytest.mark.parametrize("role", ["advisor", "researcher"])
def test_it_welcomes_other_roles(client, role):
    user = accounts.create_user(f"{role}@example.org", "correct horse battery", role=role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Bienvenue sur Carnet" in response.content.decode()


@pytest.mark.no_db
def test_it_groups_fhir_types_under_readable_labels():
    kinds = summarise(
        {"Observation": 5, "DiagnosticReport": 2, "MedicationRequest": 1, "Patient": 1, "Basic": 3}
    )
    keys = [(k, n) for k, _label, n in kinds]
    assert keys == [("results", 7), ("treatments", 1), ("other", 3)]
