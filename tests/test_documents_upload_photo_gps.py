"""Upload a JPEG photo with GPS EXIF: what is kept has no metadata; a preview is made."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records

from .files import jpeg_with_gps


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


def test_it_strips_the_position_and_camera_from_a_photo(client, alice):
    photo = jpeg_with_gps()
    response = client.post(
        reverse("records:documents"),
        {
            "doc_type": "prescription",
            "day": "2025-01-02",
            "file": SimpleUploadedFile("IMG_0001.JPG", photo, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    patient = accounts.patient_of(alice)
    [doc] = records.search(
        Actor.of_user(alice), patient.pk, "DocumentReference", Purpose.SELF
    ).resources
    kept = client.get(reverse("records:document_download", args=[doc["id"]])).content
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif()
    assert b"PhoneMaker" not in kept and b"GPS" not in kept
    preview = client.get(reverse("records:document_preview", args=[doc["id"]]))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert preview["Content-Disposition"].startswith("inline;")
    assert not Image.open(io.BytesIO(preview.content)).getexif()
