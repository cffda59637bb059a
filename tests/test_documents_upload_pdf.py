"""Upload a PDF: kept encrypted with its type, date and author; its text extracted for search."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records
from carnet.records.models import Blob

from .files import pdf_with_text


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


def _upload(client, content: bytes, name: str, **fields):
    data = {
        "doc_type": "result",
        "day": "2025-03-14",
        "title": "Prise de sang",
        "author": "Laboratoire du Capitole",
    }
    data.update(fields)
    data["file"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("records:documents"), data)


def test_it_shows_the_upload_form_for_phones_too(client, alice):
    html = client.get(reverse("records:documents")).content.decode()
    assert 'accept="image/*,application/pdf"' in html and 'type="file"' in html


def test_it_keeps_a_pdf_encrypted_with_its_text(client, alice):
    pdf = pdf_with_text()
    response = _upload(client, pdf, "resultats.pdf")
    assert response.status_code == 302
    patient = accounts.patient_of(alice)
    [doc] = records.search(
        Actor.of_user(alice), patient.pk, "DocumentReference", Purpose.SELF
    ).resources
    assert doc["type"]["coding"][0]["code"] == "11502-2"
    assert doc["context"]["period"]["start"] == "2025-03-14"
    assert doc["author"] == [{"display": "Laboratoire du Capitole"}]
    assert doc["content"][0]["attachment"]["contentType"] == "application/pdf"
    text = next(e["valueString"] for e in doc["extension"] if e["url"].endswith("extracted-text"))
    assert "Hémoglobine glyquée" in text
    # The file on disk is ciphertext.
    blob = Blob.objects.get(patient_id=patient.pk)
    on_disk = (settings.BLOB_DIR / str(patient.pk) / blob.blob_id).read_bytes()
    assert b"%PDF" not in on_disk and "Hémoglobine".encode() not in on_disk
    # Listed, and downloaded through access (audited), byte for byte.
    html = client.get(reverse("records:documents")).content.decode()
    assert "Prise de sang" in html and "Laboratoire du Capitole" in html
    url = reverse("records:document_download", args=[doc["id"]])
    assert doc["id"] in url and "sang" not in url
    before = AuditEntry.objects.filter(patient_id=patient.pk, action="read").count()
    response = client.get(url)
    assert response.status_code == 200 and response.content == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(patient_id=patient.pk, action="read").count() > before


def test_it_asks_for_a_file_when_none_is_given(client, alice):
    response = client.post(
        reverse("records:documents"), {"doc_type": "result", "day": "2025-03-14"}
    )
    assert response.status_code == 400
    assert not Blob.objects.exists()
