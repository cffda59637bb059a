"""Imports a person actually has: CDA documents, C-CDA, wearable files, FHIR bundles.

``import_file`` is the one entry point: it tells the kind of file by its content (never
by its name), turns it into a FHIR R4 collection Bundle, keeps the original file (and a
PDF embedded in a CDA) as encrypted blobs referenced by a DocumentReference, and imports
the bundle through ``records.imports.import_bundle``: all or nothing. A refused file
leaves nothing behind: blobs written before the refusal are deleted.

The same file imported twice into the same record is recognised (by the SHA-256 of its
bytes among the record's kept originals) and not imported again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import document_files, documents, fhir, imports, store
from carnet.records.imports import ImportRefused, ImportResult

from . import apple_health, ccda, cda_fr, fit, gpx, tcx
from .common import (
    Conversion,
    Original,
    bind_subject,
    refuse_if_too_big,
    root_of,
)

__all__ = ["detect", "import_file", "FileImportResult", "KINDS"]

KINDS = {
    "cda-fr": "French CDA document",
    "ccda": "C-CDA document",
    "cda": "CDA document",
    "fit": "FIT activity file",
    "gpx": "GPX track",
    "tcx": "TCX activity file",
    "apple-health": "Apple Health export",
    "apple-health-zip": "Apple Health export (zip)",
    "fhir-json": "FHIR bundle",
}
GPX_NAMESPACES = {"http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0"}
TCX_NAMESPACE = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def _unknown(what: str = "") -> ImportRefused:
    return ImportRefused(
        "this kind of file cannot be imported"
        + (f" ({what})" if what else "")
        + "; Carnet imports FHIR bundles (JSON), CDA and C-CDA documents, FIT, GPX and TCX "
        "activity files and Apple Health exports (export.xml or the zip)",
        reason="unreadable",
    )


def detect(data: bytes, filename: str = "") -> str:
    """The kind of a file (a key of KINDS), from its content only; ``filename`` is ignored.

    Raises ImportRefused for a file of no known kind, and for XML that is unsafe (entity
    declarations) or not well-formed at its start.
    """
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if apple_health.export_member(zf) is not None:
                    return "apple-health-zip"
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ImportRefused("the zip archive is damaged", reason="unreadable") from None
        raise _unknown("a zip archive without an Apple Health export.xml")
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip(b" \t\r\n")
    if head[:1] in (b"{", b"["):
        return "fhir-json"
    if head[:1] != b"<":
        if head.startswith(b"%PDF-"):
            raise _unknown("a PDF: add it from the documents page")
        raise _unknown()
    ns, name, children = root_of(data)
    if name == "ClinicalDocument" and ns == "urn:hl7-org:v3":
        templates = {c.get("root") for c in children if c.tag == "{urn:hl7-org:v3}templateId"} - {
            None
        }
        realm = next(
            (c.get("code") or "" for c in children if c.tag == "{urn:hl7-org:v3}realmCode"), ""
        )
        if cda_fr.recognises(templates, realm):
            return "cda-fr"
        if ccda.recognises(templates, realm):
            return "ccda"
        return "cda"
    if name == "gpx" and ns in GPX_NAMESPACES:
        return "gpx"
    if name == "TrainingCenterDatabase" and ns == TCX_NAMESPACE:
        return "tcx"
    if name == "HealthData" and ns == "":
        return "apple-health"
    raise _unknown(f"XML whose root element is <{name[:40]}>")


CONVERTERS = {
    "cda-fr": cda_fr.convert,
    "ccda": ccda.convert,
    "cda": ccda.convert,
    "fit": fit.convert,
    "gpx": gpx.convert,
    "tcx": tcx.convert,
    "apple-health": apple_health.convert,
    "apple-health-zip": apple_health.convert_zip,
}
# The kept original of a watch or app file: its type, by Carnet's own document-type code
# (named in the reader's language by ``words``: ``data/displays.tsv``, system
# ``carnet-document``), with its English words for machines that do not know the code.
FILE_KIND_SYSTEM = "https://carnet.sante.fr/fhir/CodeSystem/document-type"
ORIGINAL_TYPES = {
    "fit": ("application/vnd.ant.fit", "activity-fit", "Activity file (FIT)"),
    "gpx": ("application/gpx+xml", "gps-track-gpx", "GPS track (GPX)"),
    "tcx": ("application/vnd.garmin.tcx+xml", "activity-tcx", "Activity file (TCX)"),
    "apple-health": ("text/xml", "apple-health-export", "Apple Health export"),
    "apple-health-zip": ("application/zip", "apple-health-export", "Apple Health export"),
}


@dataclass
class FileImportResult(ImportResult):
    """An ImportResult that also says what the file was and what was left out."""

    kind: str = ""
    duplicate: bool = False  # the same file was already imported into this record
    document_id: str | None = None  # the DocumentReference of the kept original
    notes: list[str] = field(default_factory=list)
    # What stays readable in the kept original only (see ``Conversion.left_out``).
    left_out: list[dict] = field(default_factory=list)
    # Vaccinations of the file the record already held (same vaccine, day and lot): not
    # added twice, listed for the person (« déjà dans votre dossier »).
    already_in_record: list[dict] = field(default_factory=list)


def _wearable_document(conv: Conversion, data: bytes, kind: str, filename: str) -> None:
    content_type, code, label = ORIGINAL_TYPES[kind]
    title = filename.rsplit("/", 1)[-1][:200] or label
    conv.set_document(
        {
            "resourceType": "DocumentReference",
            "status": "current",
            "type": {
                "coding": [{"system": FILE_KIND_SYSTEM, "code": code, "display": label}],
                "text": label,
            },
            "category": [{"text": "Wearable or health app data"}],
            "description": title,  # the file's own name; its kind is said by its type
            "date": timezone.now().replace(microsecond=0).isoformat(),
        }
    )
    conv.originals.append(Original(data, content_type, title))
    for _u, res in conv.resources:
        if res["resourceType"] == "Observation":
            res.setdefault("derivedFrom", [{"reference": conv.document_url}])


def _pdf_preview(permit, conv: Conversion, written: list[str]) -> list[dict]:
    """A picture of the first page of a PDF a document carries (a scanned report inside a
    CDA, say), and its words for search: what the document's page and list can show."""
    pdf = next((o for o in conv.originals if o.content_type == "application/pdf"), None)
    if pdf is None or not pdf.content:
        return []
    try:
        info = document_files.pdf_text(pdf.content)
        thumb = document_files.preview(info.first_image) if info.first_image else None
    except document_files.Refused:
        return []
    if info.text and not any(
        e.get("url") == document_files.TEXT_EXTENSION for e in conv.document.get("extension") or []
    ):
        conv.document.setdefault("extension", []).append(
            {"url": document_files.TEXT_EXTENSION, "valueString": info.text}
        )
    if info.pages:
        conv.document.setdefault("extension", []).append(
            {"url": document_files.PAGES_EXTENSION, "valueInteger": info.pages}
        )
    if not thumb:
        return []
    blob_id = documents.put(permit, thumb)
    written.append(blob_id)
    return [
        {
            "attachment": {
                "contentType": "image/jpeg",
                "url": f"Binary/{blob_id}",
                "size": len(thumb),
                "title": "preview",
            },
            "format": {"system": document_files.FORMAT_SYSTEM, "code": "preview"},
        }
    ]


def _same_act_key(res: dict) -> tuple | None:
    """What makes two vaccinations the very same act: a vaccine code, the day, the lot.

    None when one of the three is missing: only an exact match is ever recognised, so that
    two distinct doses are never taken for one."""
    codes = frozenset(
        (c.get("system") or "", c.get("code"))
        for c in (res.get("vaccineCode") or {}).get("coding") or []
        if isinstance(c, dict) and c.get("code")
    )
    day = str(res.get("occurrenceDateTime") or "")[:10]
    lot = " ".join(str(res.get("lotNumber") or "").split()).casefold()
    if not (codes and day and lot):
        return None
    return codes, day, lot


def _already_in_record(permit, conv: Conversion) -> list[dict]:
    """Take out of ``conv`` the vaccinations the record already holds (same vaccine code,
    same day, same lot), pointing what refers to them at the record's own; returns them, to
    list on the import result (nothing is dropped silently)."""
    incoming = [
        (url, res, key)
        for url, res in conv.resources
        if res["resourceType"] == "Immunization" and (key := _same_act_key(res)) is not None
    ]
    if not incoming:
        return []
    rows = store.current_rows(permit.patient_id, "Immunization")
    held = [(r, _same_act_key(r)) for r in store.open_rows(permit, rows)]
    found: list[dict] = []
    replaced: dict[str, str] = {}
    for url, res, (codes, day, lot) in incoming:
        twin = next(
            (r for r, k in held if k and k[1] == day and k[2] == lot and k[0] & codes), None
        )
        if twin is None:
            continue
        replaced[url] = f"Immunization/{twin['id']}"
        vaccine = res.get("vaccineCode") or {}
        found.append(
            {
                "type": "Immunization",
                "id": twin["id"],
                "title": vaccine.get("text")
                or next(
                    (c.get("display") for c in vaccine.get("coding") or [] if c.get("display")),
                    "",
                ),
                "date": day,
            }
        )
    if replaced:
        conv.resources = [(u, r) for u, r in conv.resources if u not in replaced]
        for _u, res in conv.resources:
            fhir.rewrite_references(res, lambda ref: replaced.get(ref, ref))
    return found


def _discard(patient_id: int, blob_id: str) -> None:
    """Remove a blob written for an import that was then refused."""
    documents.delete(patient_id, blob_id)


def import_file(
    actor: Actor,
    patient_id: int,
    data: bytes,
    filename: str = "",
    purpose: str = Purpose.SELF,
    person: str = imports.CHECK,
) -> FileImportResult | ImportResult:
    """Import one file of any supported kind into one record, all or nothing.

    Raises ImportRefused (nothing written) for a file that is too big, of no known kind,
    unsafe, damaged or holding nothing to import, or about someone else than the record's
    person (reason "other_person", unless ``person`` says the file is theirs: see
    ``imports.import_bundle``); access.NotFound when the actor may not import into this
    record.
    """
    if not isinstance(data, bytes | bytearray):
        raise ImportRefused("the file could not be read", reason="unreadable")
    data = bytes(data)
    refuse_if_too_big(len(data))
    kind = detect(data, filename)
    if kind == "fhir-json":
        return imports.import_bundle(
            actor, data, patient_id=patient_id, filename=filename, purpose=purpose, person=person
        )
    conv = CONVERTERS[kind](data)
    if kind in ORIGINAL_TYPES:
        if not conv.resources:
            raise ImportRefused(
                "the file holds no activity, heart rate, step, weight or blood pressure data"
                + (f" ({conv.notes[0]})" if conv.notes else ""),
                reason="unreadable",
            )
        _wearable_document(conv, data, kind, filename)

    # Ask before writing anything (a deny is audited and answered as not found).
    permit = access.require(
        actor, patient_id, Action.IMPORT, purpose, audit_now=False, what="import of a file"
    )
    digest = hashlib.sha256(data).hexdigest()
    if documents.has_sha256(patient_id, digest):
        return FileImportResult(patient_id=patient_id, kind=kind, duplicate=True)

    existing = store.current_rows(patient_id, "Patient").values_list("fhir_id", flat=True).first()
    if person == imports.CHECK:
        # The document's recordTarget against the record's person (or, for a record
        # without details yet, against the account holder's name).
        imports.check_person(actor, permit, patient_id, purpose, conv.patient)
    if existing:
        subject = {"reference": f"Patient/{existing}"}
        if person == imports.MINE_TAKE_DETAILS and conv.patient:
            conv.patient["id"] = existing  # the file's details, as a new version
            conv.resources.insert(0, (f"urn:uuid:{uuid.uuid4()}", conv.patient))
    else:
        patient = conv.patient or {"resourceType": "Patient"}
        account = accounts.account_name(patient_id) if person == imports.MINE else ""
        if account:
            # « It is me »: the record starts with the account holder's own name, not the
            # file's (they can take the file's details by choosing so).
            patient = {"resourceType": "Patient", "name": [{"text": account}]}
        subject = {"reference": conv.add(patient)}
    bind_subject(conv, subject)
    already = _already_in_record(permit, conv) if existing else []

    written: list[str] = []
    try:
        # The originals' rows and the import commit together: a crash in between leaves
        # no document row that nothing points to (only an unreadable file, see below).
        with transaction.atomic():
            attachments = []
            for original in conv.originals:
                blob_id = documents.put(permit, original.content)
                written.append(blob_id)
                attachments.append(
                    {
                        "attachment": {
                            "contentType": original.content_type,
                            "url": f"Binary/{blob_id}",
                            "size": len(original.content),
                            # FHIR's Attachment.hash is defined as SHA-1.
                            "hash": base64.b64encode(
                                hashlib.sha1(original.content).digest()  # noqa: S324
                            ).decode(),
                            "title": original.title[:200],
                        }
                    }
                )
            conv.document["content"] = attachments + _pdf_preview(permit, conv, written)
            result = imports.import_bundle(
                actor,
                conv.bundle(),
                patient_id=patient_id,
                filename=filename,
                purpose=purpose,
                person=imports.MINE if person == imports.CHECK else person,
            )
    except BaseException:
        for blob_id in written:
            _discard(patient_id, blob_id)
        raise
    out = FileImportResult(
        **vars(result),
        kind=kind,
        notes=list(conv.notes),
        left_out=list(conv.left_out),
        already_in_record=already,
    )
    out.document_id = next((i for t, i, _v in result.locations if t == "DocumentReference"), None)
    return out
