"""A person imports the same file twice through the web page.

The second time the page said « Fichier importé — 0 élément a été ajouté à votre dossier »
under a green banner, which reads like a failure that pretends to be a success. It now says
the file is already in the record and nothing was added twice.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.accounts import services as accounts
from carnet.records.models import ResourceVersion

from . import helpers
from .helpers import DATA

VAC = DATA / "cda" / "fr" / "VAC_2023.01.xml"


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def person(client):
    user = helpers.citizen("twice@example.org")
    client.force_login(user)
    return user


def _import(client) -> str:
    upload = SimpleUploadedFile(VAC.name, VAC.read_bytes(), "text/xml")
    response = client.post(reverse("records:import"), {"file": upload})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def _rows(user) -> int:
    return ResourceVersion.objects.filter(patient_id=accounts.patient_of(user).pk).count()


def test_the_second_import_says_the_file_is_already_there(client, person, immediate):
    first = _import(client)
    assert "Fichier importé" in first and "5 éléments ont été ajoutés" in first
    rows = _rows(person)
    second = _import(client)
    assert _rows(person) == rows
    assert "<h1>Fichier déjà importé</h1>" in second
    assert "Ce fichier était déjà importé dans votre dossier" in second
    assert "0 élément" not in second
