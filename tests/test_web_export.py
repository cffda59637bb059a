"""Downloading one's record from the web: FHIR JSON or ZIP, with a name that says nothing."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:p1",
            "resource": {
                "resourceType": "Patient",
                "name": [{"family": "Martin", "given": ["Alice"]}],
            },
        },
        {
            "fullUrl": "urn:uuid:c1",
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Diabète de type 2"},
                "subject": {"reference": "urn:uuid:p1"},
            },
        },
    ],
}


@pytest.fixture
def citizen(client):
    user = accounts.create_user("alice.martin@example.org", "correct horse battery")
    patient = accounts.patient_of(user)
    imports.import_bundle(Actor.of_user(user), BUNDLE, patient_id=patient.pk, purpose=Purpose.SELF)
    client.force_login(user)
    return user


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return disposition.split("filename=")[1].strip('"')


def _assert_says_nothing(name: str):
    for word in ("alice", "martin", "diab", "@"):
        assert word not in name.lower()


def test_it_shows_the_two_formats(client, citizen):
    html = client.get(reverse("records:export")).content.decode()
    assert "Télécharger l’archive ZIP" in html and "Télécharger le fichier FHIR (JSON)" in html


def test_it_downloads_the_fhir_bundle(client, citizen):
    response = client.post(reverse("records:export"), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    name = _filename(response)
    assert name.startswith("carnet-") and name.endswith(".json")
    _assert_says_nothing(name)
    bundle = json.loads(response.content)
    types = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert types == ["Condition", "Patient"]
    assert response["Cache-Control"] == "no-store"


def test_it_downloads_the_zip(client, citizen):
    response = client.post(reverse("records:export"), {"format": "zip"})
    assert response.status_code == 200
    name = _filename(response)
    assert name.endswith(".zip")
    _assert_says_nothing(name)
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert "record.json" in zf.namelist()


def test_it_asks_for_a_format(client, citizen):
    response = client.post(reverse("records:export"), {"format": "pdf"})
    assert response.status_code == 400
    assert "Choisissez l’un des deux formats" in response.content.decode()


def test_it_tells_a_practitioner_there_is_no_record(client):
    doctor = accounts.create_user(
        "dr@example.org", "correct horse battery", role="practitioner", rpps="10101010101"
    )
    client.force_login(doctor)
    response = client.post(reverse("records:export"), {"format": "json"})
    assert response.status_code == 200
    assert "Pas de dossier à votre nom" in response.content.decode()
