"""Exporting a whole record: a FHIR Bundle that re-imports to the same content, or a zip."""

from __future__ import annotations

import io
import json
import zipfile

from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor

from . import documents, services


def _bundle(resources: list[dict]) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def export_bundle(actor: Actor, patient_id: int, purpose: str) -> dict:
    """The whole current record (and the professionals it names) as a collection Bundle."""
    permit = access.require(actor, patient_id, Action.EXPORT, purpose, what="FHIR bundle")
    return _bundle(services.whole_record(permit, patient_id))


def export_zip(actor: Actor, patient_id: int, purpose: str) -> bytes:
    """A zip with ``record.json`` (the Bundle) and every document under ``documents/``."""
    permit = access.require(actor, patient_id, Action.EXPORT, purpose, what="zip archive")
    bundle = _bundle(services.whole_record(permit, patient_id))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("record.json", json.dumps(bundle, ensure_ascii=False, indent=1))
        for blob_id in documents.list_ids(patient_id):
            zf.writestr(f"documents/{blob_id}", documents.get(patient_id, blob_id))
        zf.writestr(
            "LISEZMOI.txt",
            "Votre dossier Carnet / Your Carnet record\n\n"
            "record.json : le dossier complet au format FHIR R4 (Bundle), réimportable.\n"
            "documents/ : vos documents (PDF, images), tels que vous les avez déposés.\n",
        )
    return buf.getvalue()
