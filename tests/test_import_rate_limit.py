"""Imports are limited per person: one at a time into a record, and
CARNET_IMPORTS_PER_HOUR an hour; beyond that the person is told, in plain words, when to
try again, and nothing is written. The platform's own command line is not limited."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import import_staging, imports
from carnet.records.models import ResourceVersion

from .fhir_api import citizen as api_citizen
from .helpers import Clock, citizen

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Poids"},
                "valueQuantity": {"value": 61, "unit": "kg"},
            }
        }
    ],
}


@pytest.fixture(autouse=True)
def two_an_hour(settings):
    settings.CARNET_IMPORTS_PER_HOUR = 2


def _import(user):
    return imports.import_bundle(
        Actor.of_user(user),
        json.dumps(BUNDLE),
        patient_id=accounts.patient_of(user).pk,
        purpose=Purpose.SELF,
    )


def _rows(user) -> int:
    return ResourceVersion.objects.filter(patient_id=accounts.patient_of(user).pk).count()


def test_a_person_over_the_hourly_limit_is_told_when_to_try_again(monkeypatch):
    alice = citizen()
    _import(alice)
    _import(alice)
    with pytest.raises(imports.ImportBusy) as refused:
        _import(alice)
    assert refused.value.reason == "too_many"
    assert 0 < refused.value.retry_after <= 3600
    assert _rows(alice) == 2

    # Someone else is not held back by Alice's imports.
    bob = citizen("bob@example.org")
    _import(bob)
    assert _rows(bob) == 1

    # An hour later Alice may import again.
    later = Clock(timezone.now() + dt.timedelta(hours=1, seconds=1), dt.UTC)
    monkeypatch.setattr(timezone, "now", later)
    _import(alice)
    assert _rows(alice) == 3


def test_the_command_line_is_not_limited():
    alice = citizen()
    pid = accounts.patient_of(alice).pk
    for _ in range(3):
        imports.import_bundle(
            Actor.operator(), json.dumps(BUNDLE), patient_id=pid, purpose=Purpose.OPERATIONS
        )
    assert _rows(alice) == 3


def test_one_import_at_a_time_into_a_record():
    alice = citizen()
    pid = accounts.patient_of(alice).pk
    import_staging.begin(pid, None)  # another import, still being written
    with pytest.raises(imports.ImportBusy) as refused:
        _import(alice)
    assert refused.value.reason == "busy" and refused.value.retry_after > 0
    assert _rows(alice) == 0


def test_the_api_answers_429_with_retry_after(client):
    user, headers = api_citizen("alice@example.org")
    answers = [
        client.post(
            "/fhir/R4", json.dumps(BUNDLE), content_type="application/fhir+json", headers=headers
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 3600
    body = answers[2].json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "throttled"
    assert _rows(user) == 2


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def _upload(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("records:import"),
        {
            "file": SimpleUploadedFile(
                "export.json", json.dumps(BUNDLE).encode(), "application/json"
            )
        },
    )


def test_the_import_page_says_when_to_try_again(immediate):
    alice = citizen()
    client = Client()
    client.force_login(alice)
    for _ in range(2):
        assert "Fichier importé" in client.get(_upload(client)["Location"]).content.decode()
    page = client.get(_upload(client)["Location"]).content.decode()
    assert "Fichier refusé" in page
    assert "Vous avez importé beaucoup de fichiers au cours de la dernière heure." in page
    assert "Pour que Carnet reste rapide pour tout le monde, attendez" in page
    assert _rows(alice) == 2


def test_the_import_page_says_another_import_is_under_way(immediate):
    alice = citizen()
    client = Client()
    client.force_login(alice)
    import_staging.begin(accounts.patient_of(alice).pk, None)
    page = client.get(_upload(client)["Location"]).content.decode()
    assert "Un autre fichier est en cours d’import dans ce dossier." in page
    assert "Attendez que cet import soit terminé" in page
    assert _rows(alice) == 0
    assert "Fichier refusé" in page


@pytest.mark.django_db(transaction=True, databases="__all__")  # each import commits
def test_two_imports_racing_into_a_new_record_do_not_give_it_two_people(monkeypatch):
    from .helpers import synthea

    alice = citizen()
    pid = accounts.patient_of(alice).pk
    real_begin = import_staging.begin
    calls = []

    def begin(patient_id, actor_user_id):
        calls.append(patient_id)
        if len(calls) == 1:  # the other import starts and finishes first
            imports.import_bundle(
                Actor.operator(),
                synthea("Abdul").read_bytes(),
                patient_id=pid,
                purpose=Purpose.OPERATIONS,
            )
        return real_begin(patient_id, actor_user_id)

    monkeypatch.setattr(import_staging, "begin", begin)
    with pytest.raises(imports.ImportBusy) as refused:
        imports.import_bundle(
            Actor.of_user(alice),
            synthea("Gustavo").read_bytes(),
            patient_id=pid,
            purpose=Purpose.SELF,
        )
    assert refused.value.reason == "busy"
    current = ResourceVersion.objects.filter(patient_id=pid, is_current=True)
    assert current.filter(resource_type="Patient").count() == 1
    assert current.count() == 180 - 2  # Abdul's file, without its two directory entries
