"""Another person cannot download or preview my document: not found, and the attempt is audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records

from .files import jpeg_with_gps


@pytest.fixture
def document(client):
    alice = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(alice)
    client.post(
        reverse("records:documents"),
        {
            "doc_type": "letter",
            "day": "2025-01-02",
            "file": SimpleUploadedFile("x.jpg", jpeg_with_gps()),
        },
    )
    patient = accounts.patient_of(alice)
    [doc] = records.search(
        Actor.of_user(alice), patient.pk, "DocumentReference", Purpose.SELF
    ).resources
    client.logout()
    return patient, doc


@pytest.mark.parametrize("name", ["records:document_download", "records:document_preview"])
def test_another_person_gets_not_found(client, document, name):
    patient, doc = document
    bob = accounts.create_user("bob@example.org", "correct horse battery")
    client.force_login(bob)
    response = client.get(reverse(name, args=[doc["id"]]))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(
        patient_id=patient.pk, actor_id=bob.pk, decision="deny"
    ).exists()
    # Nor does it appear in their own list.
    assert doc["id"] not in client.get(reverse("records:documents")).content.decode()


def test_signed_out_people_are_sent_to_sign_in(client, document):
    _patient, doc = document
    response = client.get(reverse("records:document_download", args=[doc["id"]]))
    assert response.status_code == 302
