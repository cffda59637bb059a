"""Encrypted document files (PDF, images) kept outside the database."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings

from carnet.access.policy import Permit
from carnet.vault import sealed

from .models import Blob


def _path(patient_id: int, blob_id: str) -> Path:
    return Path(settings.BLOB_DIR) / str(patient_id) / blob_id


def put(permit: Permit, content: bytes) -> str:
    """Encrypt and store a file in the permit's record; returns its blob id (to put in an
    Attachment url)."""
    patient_id = sealed.patient_of(permit)
    blob_id = uuid.uuid4().hex
    ciphertext = sealed.seal(permit, content, f"blob:{blob_id}")
    path = _path(patient_id, blob_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(ciphertext)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    Blob.objects.create(
        patient_id=patient_id,
        blob_id=blob_id,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return blob_id


def get(permit: Permit, blob_id: str) -> bytes:
    """Decrypt a stored file of the permit's record (FileNotFoundError for any other)."""
    patient_id = sealed.patient_of(permit)
    if not Blob.objects.filter(patient_id=patient_id, blob_id=blob_id).exists():
        raise FileNotFoundError(blob_id)
    return sealed.unseal(permit, _path(patient_id, blob_id).read_bytes(), f"blob:{blob_id}")


def list_ids(patient_id: int) -> list[str]:
    return list(
        Blob.objects.filter(patient_id=patient_id)
        .order_by("created_at")
        .values_list("blob_id", flat=True)
    )


def delete_all(patient_id: int) -> int:
    """Remove every file of a patient (erasure)."""
    n = 0
    folder = Path(settings.BLOB_DIR) / str(patient_id)
    if folder.exists():
        for f in folder.iterdir():
            f.unlink()
            n += 1
        folder.rmdir()
    Blob.objects.filter(patient_id=patient_id).delete()
    return n


def delete(patient_id: int, blob_id: str) -> None:
    """Remove one file (e.g. the original of an import that was then refused)."""
    _path(patient_id, blob_id).unlink(missing_ok=True)
    Blob.objects.filter(patient_id=patient_id, blob_id=blob_id).delete()


def has_sha256(patient_id: int, digest: str) -> bool:
    """Whether the record already keeps a file with these exact bytes."""
    return Blob.objects.filter(patient_id=patient_id, sha256=digest).exists()
