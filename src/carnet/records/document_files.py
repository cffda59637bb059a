"""Documents a person adds: PDFs and photos of paper documents, checked, cleaned and encrypted.

    check(content)                          -> "pdf" | "jpeg" | "png" | "webp"  (by content only)
    clean_image(content, kind)              -> the image re-encoded without EXIF/GPS metadata
    pdf_text(content)                       -> the text of a PDF (for search), "" if none
    add(actor, patient_id, content, ...)    -> the saved DocumentReference
    listing(actor, patient_id)              -> the person's documents, newest first
    open_file(actor, document_id, which)    -> (bytes, content type, title) after access

Files are recognised by their first bytes, never by their name or the browser's claimed
type. Images are decoded and re-encoded, which drops every metadata block (EXIF with GPS
position, XMP, comments) and anything hidden after the image data. The original file,
the preview and the extracted text are all encrypted under the person's key: files with
``documents.put``, the text inside the DocumentReference (an extension whose words the
record's full-text index can use).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.access.services import Actor, NotFound, Purpose

from . import documents, services
from .entries import ENTERED_BY_PERSON, own_patient
from .fhir import parse_date

log = logging.getLogger("carnet.records")

MAX_PIXELS = 60_000_000  # a 60 Mpx photo; beyond that, a decompression bomb
PREVIEW_SIZE = (480, 480)
MAX_TEXT = 100_000  # characters of extracted text kept for search
MAX_PDF_PAGES = 200
TEXT_EXTENSION = "https://carnet.example/fhir/StructureDefinition/extracted-text"
PAGES_EXTENSION = "https://carnet.example/fhir/StructureDefinition/page-count"
FORMAT_SYSTEM = "https://carnet.example/fhir/document-content"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
LOINC = "http://loinc.org"
# Document types a person understands, with their LOINC code.
TYPES = [
    ("prescription", _("Prescription"), "57833-6", "Prescription for medication"),
    ("result", _("Test results"), "11502-2", "Laboratory report"),
    (
        "imaging",
        _("Imaging report (X-ray, scan, ultrasound)"),
        "18748-4",
        "Diagnostic imaging study",
    ),
    ("letter", _("Letter from a doctor"), "34140-4", "Provider-unspecified transfer of care note"),
    ("discharge", _("Hospital discharge report"), "18842-5", "Discharge summary"),
    ("vaccination", _("Vaccination certificate"), "11369-6", "History of Immunization Narrative"),
    ("directives", _("Advance directives"), "42348-3", "Advance directives"),
    ("other", _("Other document"), "", ""),
]
TYPE_BY_KEY = {t[0]: t for t in TYPES}


class Refused(ValueError):
    """A file that cannot be kept; ``message`` says why and what to do, in the person's words."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def check(content: bytes) -> str:
    """The kind of file from its first bytes; Refused for anything else."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    raise Refused(
        _(
            "This file is not a PDF or a photo. Carnet keeps PDF files and photos (JPEG, PNG, WebP): save or scan your document in one of these formats, then add it again."
        )
    )


def _open_image(content: bytes):
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_PIXELS:
                raise Refused(
                    _("This photo is too large. Take it again at a lower resolution, then add it.")
                )
            image.load()
    except Refused:
        raise
    except Exception as exc:  # a damaged or disguised file
        log.info("image refused (%s)", type(exc).__name__)
        raise Refused(
            _("This photo cannot be read: it may be damaged. Take the photo again, then add it.")
        ) from None
    return image


def clean_image(content: bytes, kind: str) -> bytes:
    """Decode and re-encode an image, turned upright, with no metadata at all."""
    from PIL import ImageOps

    image = _open_image(content)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    out = io.BytesIO()
    if kind == "jpeg":
        image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    elif kind == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=90)
    return out.getvalue()


def preview(content: bytes) -> bytes:
    """A small JPEG of an image, for the list of documents."""
    image = _open_image(content)
    image.thumbnail(PREVIEW_SIZE)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


@dataclass
class PdfInfo:
    text: str
    pages: int
    first_image: bytes | None = None


def pdf_text(content: bytes) -> PdfInfo:
    """The text of a PDF (for search) and its number of pages; Refused if it is not a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            # Kept as it is, but its words cannot be read without its password.
            return PdfInfo("", 0)
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        log.info("pdf refused (%s)", type(exc).__name__)
        raise Refused(
            _(
                "This PDF file is damaged and cannot be opened. Download or scan it again, then add it."
            )
        ) from None
    parts, size = [], 0
    first_image = None
    for n, page in enumerate(reader.pages):
        if n >= MAX_PDF_PAGES or size >= MAX_TEXT:
            break
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one bad page does not lose the others
            log.info("pdf page %s unreadable (%s)", n, type(exc).__name__)
            text = ""
        parts.append(text)
        size += len(text)
        if n == 0:
            try:
                images = list(page.images)
                if images:
                    first_image = images[0].data  # a scanned page: its picture is the preview
            except Exception:  # noqa: S110 - a preview is optional
                pass
    text = " ".join(" ".join(parts).split())[:MAX_TEXT]
    return PdfInfo(text, pages, first_image)


def _attachment(patient_id: int, content: bytes, content_type: str, title: str) -> dict:
    blob_id = documents.put(patient_id, content)
    return {
        "contentType": content_type,
        "url": f"Binary/{blob_id}",
        "size": len(content),
        "hash": base64.b64encode(hashlib.sha1(content).digest()).decode(),  # noqa: S324 (FHIR's Attachment.hash is SHA-1)
        "title": title[:200],
        "creation": timezone.now().replace(microsecond=0).isoformat(),
    }


def add(
    actor: Actor,
    patient_id: int,
    content: bytes,
    *,
    doc_type: str,
    title: str,
    day,
    author: str = "",
) -> dict:
    """Check, clean and keep one file with its DocumentReference; Refused or NotFound."""
    kind = check(content)
    info = PdfInfo("", 0)
    thumb = None
    if kind == "pdf":
        info = pdf_text(content)
        if info.first_image:
            try:
                thumb = preview(info.first_image)
            except Refused:
                thumb = None
    else:
        content = clean_image(content, kind)
        thumb = preview(content)
    key, label, code, display = TYPE_BY_KEY.get(doc_type, TYPE_BY_KEY["other"])
    patient = own_patient(actor, patient_id)  # asks access (and fails) before any file is written
    written = []
    try:
        main = _attachment(patient_id, content, CONTENT_TYPES[kind], title or str(label))
        written.append(main["url"].split("/", 1)[1])
        contents = [{"attachment": main, "format": {"system": FORMAT_SYSTEM, "code": "original"}}]
        if thumb:
            small = _attachment(patient_id, thumb, "image/jpeg", "preview")
            written.append(small["url"].split("/", 1)[1])
            contents.append(
                {"attachment": small, "format": {"system": FORMAT_SYSTEM, "code": "preview"}}
            )
        doc_type_concept = {"text": str(label)}
        if code:
            doc_type_concept["coding"] = [{"system": LOINC, "code": code, "display": display}]
        resource = {
            "resourceType": "DocumentReference",
            "meta": {"tag": [dict(ENTERED_BY_PERSON, display="Entered by the person")]},
            "status": "current",
            "type": doc_type_concept,
            "subject": {"reference": f"Patient/{patient['id']}"},
            "date": timezone.now().replace(microsecond=0).isoformat(),
            "description": (title or str(label))[:200],
            "content": contents,
            "context": {"period": {"start": day.isoformat()}},
        }
        if author.strip():
            resource["author"] = [{"display": " ".join(author.split())[:200]}]
        extensions = []
        if info.text:
            extensions.append({"url": TEXT_EXTENSION, "valueString": info.text})
        if info.pages:
            extensions.append({"url": PAGES_EXTENSION, "valueInteger": info.pages})
        if extensions:
            resource["extension"] = extensions
        return services.create(actor, patient_id, resource, Purpose.SELF)
    except BaseException:
        for blob_id in written:
            documents.delete(patient_id, blob_id)
        raise


@dataclass
class Document:
    id: str
    title: str
    type_label: str
    day: object  # a date, or None
    author: str
    content_type: str
    size: int
    pages: int
    has_preview: bool
    excerpt: str


def describe(resource: dict) -> Document:
    contents = resource.get("content") or []
    main = next((c["attachment"] for c in contents if _format(c) != "preview"), {})
    text = next(
        (
            e.get("valueString", "")
            for e in resource.get("extension") or []
            if e.get("url") == TEXT_EXTENSION
        ),
        "",
    )
    day = ((resource.get("context") or {}).get("period") or {}).get("start") or resource.get(
        "date", ""
    )[:10]
    parsed = parse_date(day) if day else None
    return Document(
        id=resource.get("id", ""),
        title=resource.get("description") or main.get("title") or "",
        type_label=(resource.get("type") or {}).get("text", ""),
        day=parsed.date() if parsed else None,
        author=", ".join(
            a.get("display", "") for a in resource.get("author") or [] if a.get("display")
        ),
        content_type=main.get("contentType", ""),
        size=int(main.get("size") or 0),
        pages=next(
            (
                e.get("valueInteger", 0)
                for e in resource.get("extension") or []
                if e.get("url") == PAGES_EXTENSION
            ),
            0,
        ),
        has_preview=any(_format(c) == "preview" for c in contents),
        excerpt=text[:160],
    )


def _format(content: dict) -> str:
    return (content.get("format") or {}).get("code", "")


def listing(actor: Actor, patient_id: int, *, count: int = 100) -> list[Document]:
    page = services.search(actor, patient_id, "DocumentReference", Purpose.SELF, count=count)
    return [describe(r) for r in page.resources]


def open_file(
    actor: Actor, document_id: str, which: str, purpose: str | None = None
) -> tuple[bytes, str, str]:
    """The original file or its preview, after access (audited); NotFound otherwise."""
    patient_id = services.owner_patient_of("DocumentReference", document_id)
    if patient_id is None:
        raise NotFound()
    purpose = purpose or services.self_purpose(actor, patient_id)
    resource = services.read(actor, "DocumentReference", document_id, purpose)
    for c in resource.get("content") or []:
        att = c.get("attachment") or {}
        url = att.get("url") or ""
        if not url.startswith("Binary/"):
            continue
        if (which == "preview") != (_format(c) == "preview"):
            continue
        try:
            data = documents.get(patient_id, url.split("/", 1)[1])
        except FileNotFoundError:
            raise NotFound() from None
        return data, att.get("contentType") or "application/octet-stream", att.get("title") or ""
    raise NotFound()
