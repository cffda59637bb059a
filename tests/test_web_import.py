"""Importing a file from the web: upload, background job, progress, result or refusal."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import HUEY

from carnet.accounts import services as accounts
from carnet.records import tasks, views
from carnet.records.models import ResourceVersion

from . import helpers

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:p1",
            "resource": {"resourceType": "Patient", "name": [{"family": "Zorglub"}]},
        },
        {
            "fullUrl": "urn:uuid:o1",
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Glycémie"},
                "subject": {"reference": "urn:uuid:p1"},
            },
        },
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
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def citizen(client):
    user = helpers.citizen("alice@example.org")
    client.force_login(user)
    return user


def _upload(client, content: bytes, name="export.json"):
    return client.post(
        reverse("records:import"), {"file": SimpleUploadedFile(name, content, "application/json")}
    )


def _rows(user) -> int:
    return ResourceVersion.objects.filter(patient_id=accounts.patient_of(user).pk).count()


def test_it_shows_the_form_with_the_size_limit(client, citizen, settings):
    settings.CARNET_MAX_IMPORT_BYTES = 5 * 1024 * 1024
    html = client.get(reverse("records:import")).content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "jusqu’à 5 Mo" in html


def test_it_imports_a_bundle_in_the_background(client, citizen, immediate):
    response = _upload(client, json.dumps(BUNDLE).encode())
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert "Fichier importé" in page
    assert "2 éléments ont été ajoutés à votre dossier." in page
    assert "Résultats et mesures" in page and "Vaccins" in page
    assert _rows(citizen) == 3
    status = client.get(job_url + "etat/").json()
    assert status["finished"] is True and status["state"] == "done"
    # Finished: no more polling, no refresh.
    assert "import-progress.js" not in page and "refresh" not in page


@pytest.mark.parametrize(
    "content, title",
    [
        (b'{"resourceType": "Bundle", "entry": [', "Carnet ne peut pas lire ce fichier."),
        (b'{"resourceType": "Patient"}', "Ce fichier n’est pas un ensemble de données de santé"),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [
                        BUNDLE["entry"][0],
                        {"resource": {"resourceType": "Observation", "status": "nonsense"}},
                    ],
                }
            ).encode(),
            "L’élément n° 2 du fichier pose problème.",
        ),
    ],
)
def test_it_refuses_a_bad_file_and_says_what_to_do(client, citizen, immediate, content, title):
    response = _upload(client, content)
    page = client.get(response["Location"]).content.decode()
    assert "Fichier refusé" in page
    assert title in page
    assert "Rien n’a été ajouté à votre dossier." in page
    assert _rows(citizen) == 0


def test_it_refuses_a_file_over_the_limit_before_reading_it(client, citizen, settings):
    settings.CARNET_MAX_IMPORT_BYTES = 1024
    response = _upload(client, b" " * (200 * 1024))
    assert response.status_code == 413
    assert "Ce fichier est trop gros" in response.content.decode()
    assert _rows(citizen) == 0


def test_it_stops_reading_an_upload_past_the_limit(client, citizen, settings):
    # Within the multipart allowance of the announced length, so the handler must stop it.
    settings.CARNET_MAX_IMPORT_BYTES = 1024
    response = _upload(client, b" " * 4096)
    assert response.status_code == 413
    assert _rows(citizen) == 0


def test_it_asks_for_a_file(client, citizen):
    response = client.post(reverse("records:import"), {})
    assert response.status_code == 400
    assert "Choisissez d’abord un fichier" in response.content.decode()


def test_it_never_writes_the_upload_in_clear(client, citizen, settings, tmp_path, monkeypatch):
    # Django would spool anything over 1 byte to a temporary file; Carnet must not.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    queued = []
    monkeypatch.setattr(tasks, "import_upload", lambda *args: queued.append(args))
    content = json.dumps(BUNDLE).encode()
    response = _upload(client, content, name="Zorglub-bilan.json")
    assert response.status_code == 302
    assert list(tmp_path.iterdir()) == []
    (job_id, user_id, patient_id, sealed, sealed_name, target) = queued[0]
    assert target is None  # the person's own record, not a relative's
    # What goes to the job queue (stored on disk) is ciphertext, names included.
    assert b"Zorglub" not in sealed and b"Glyc" not in sealed and b"Zorglub" not in sealed_name
    # The progress page before the worker runs: waiting, polling, with a no-JS refresh.
    page = client.get(response["Location"]).content.decode()
    assert "Import de votre fichier en cours" in page
    assert "import-progress.js" in page
    assert '<noscript><meta http-equiv="refresh"' in page
    tasks.run_import(job_id, user_id, patient_id, sealed, sealed_name)
    assert tasks.get_status(job_id)["state"] == "done"
    assert _rows(citizen) == 3


def test_it_reports_progress_as_numbers(client, citizen, monkeypatch):
    seen = []
    real = tasks.set_status

    def spy(job_id, **fields):
        seen.append(dict(fields))
        return real(job_id, **fields)

    monkeypatch.setattr(tasks, "set_status", spy)
    monkeypatch.setattr(tasks, "import_upload", lambda *a: tasks.run_import(*a[:5], target_id=a[5]))
    _upload(client, json.dumps(BUNDLE).encode())
    assert {"total": 3} in seen  # the Patient, the Observation and the Immunization
    assert any(s.get("state") == "writing" and s.get("done") for s in seen)


@pytest.mark.no_db
def test_it_writes_progress_in_plain_numbers():
    with translation.override("fr"):
        text = views._progress_text({"done": 1234, "total": 5678})
        assert text.replace("\u202f", " ").replace("\xa0", " ") == "1 234 / 5 678 éléments"
        assert views._progress_text({"done": 0, "total": None}) == "Vérification du fichier…"
    with translation.override("en"):
        assert views._progress_text({"done": 1, "total": 1}) == "1 / 1 item"


def test_it_hides_another_persons_job(client, citizen, immediate):
    job_url = _upload(client, json.dumps(BUNDLE).encode())["Location"]
    bob = accounts.create_user("bob@example.org", "correct horse battery")
    other = Client()
    other.force_login(bob)
    assert other.get(job_url).status_code == 404
    assert other.get(job_url + "etat/").status_code == 404
    assert other.get(reverse("records:import_job", args=["0" * 32])).status_code == 404
    assert other.get(reverse("records:import_job", args=["nonsense"])).status_code == 404


def test_it_checks_csrf_on_upload(citizen):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen)
    response = _upload(strict, json.dumps(BUNDLE).encode())
    assert response.status_code == 403
    assert _rows(citizen) == 0
