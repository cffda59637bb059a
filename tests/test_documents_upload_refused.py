"""Files that are refused: a program renamed .pdf or .jpg, and a file over the size limit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.records.models import Blob, ResourceVersion

from .files import pdf_with_text

EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode."
)


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


def _post(client, content, name, content_type):
    return client.post(
        reverse("records:documents"),
        {
            "doc_type": "other",
            "day": "2025-01-02",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


@pytest.mark.parametrize(
    ("name", "content_type"), [("ordonnance.pdf", "application/pdf"), ("photo.jpg", "image/jpeg")]
)
def test_it_refuses_a_renamed_program(client, alice, name, content_type):
    response = _post(client, EXE, name, content_type)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Blob.objects.exists()
    assert not ResourceVersion.objects.filter(resource_type="DocumentReference").exists()


@override_settings(CARNET_MAX_DOCUMENT_BYTES=2048)
def test_it_refuses_a_file_over_the_limit(client, alice):
    big = pdf_with_text() + b"%" + b"x" * 4096
    response = _post(client, big, "gros.pdf", "application/pdf")
    assert response.status_code == 413
    assert not Blob.objects.exists()
    assert not ResourceVersion.objects.filter(resource_type="DocumentReference").exists()
