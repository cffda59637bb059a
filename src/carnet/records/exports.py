"""Exporting a whole record: a FHIR Bundle that re-imports to the same content, or a zip."""

from __future__ import annotations

import io
import json
import re
import zipfile

import orjson
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
    return _bundle(services.whole_record(permit))


_BINARY = re.compile(r'"url":"Binary/([0-9a-f]{32})"')


def _files_shown(permit, resources: list[dict]) -> list[str]:
    """The document files the permit's view shows: every file of the record for the person
    (and operators), otherwise only the files of the items the view shows."""
    if permit.view.all:
        return documents.list_ids(permit.patient_id)
    named = {m for r in resources for m in _BINARY.findall(orjson.dumps(r).decode())}
    return [b for b in documents.list_ids(permit.patient_id) if b in named]


def export_zip(actor: Actor, patient_id: int, purpose: str) -> bytes:
    """A zip with ``record.json`` (the Bundle) and the documents the permit's view shows
    under ``documents/``."""
    permit = access.require(actor, patient_id, Action.EXPORT, purpose, what="zip archive")
    resources = services.whole_record(permit)
    bundle = _bundle(resources)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("record.json", json.dumps(bundle, ensure_ascii=False, indent=1))
        for blob_id in _files_shown(permit, resources):
            zf.writestr(f"documents/{blob_id}", documents.get(permit, blob_id))
        zf.writestr(
            "LISEZMOI.txt",
            "Votre dossier Carnet / Your Carnet record\n\n"
            "record.json : le dossier complet au format FHIR R4 (Bundle), réimportable.\n"
            "documents/ : vos documents (PDF, images), tels que vous les avez déposés.\n",
        )
    return buf.getvalue()
