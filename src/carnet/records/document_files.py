"""Documents a person adds: PDFs and photos of paper documents, checked, cleaned and encrypted.

    check(content)                          -> "pdf" | "jpeg" | "png" | "webp"  (by content only)
    clean_image(content, kind)              -> the image re-encoded without EXIF/GPS metadata
    pdf_text(content)                       -> the text of a PDF (for search), "" if none
    add(actor, patient_id, content, ...)    -> the saved DocumentReference
    listing(actor, patient_id)              -> the person's documents, newest first
    open_file(actor, document_id, which)    -> (bytes, content type, title) after access
    reading(actor, document_id)             -> what the document's page shows: its kind,
                                               size in words, files, and for a clinical
                                               document (CDA) its own narrative as safe HTML

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
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit, Purpose

from . import cda_narrative, dates, documents, services, words
from .entries import ENTERED_BY_PERSON, own_patient

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
UPLOAD_KINDS = {code: label for _k, label, code, _d in TYPES if code}
# Clinical documents (their LOINC code, or the French national code of the DMP), in the
# words a person uses; a code not listed is named by the document's own type or title.
DOCUMENT_KINDS = {
    "60591-5": _("Medical summary"),  # Patient summary (IPS, DMP's VSM)
    "SYNTH": _("Medical summary"),  # DMP: Synthèse médicale (VSM 1.x)
    "34133-9": _("Medical summary"),  # C-CDA Continuity of Care Document
    "11369-6": _("Vaccination history"),
    "87273-9": _("Vaccination history"),
    "11502-2": _("Laboratory report"),
    "96173-0": _("Rapid diagnostic test"),
    "57833-6": _("Prescription"),
    "REMB": _("Reimbursement history"),
    "57057-2": _("Birth summary"),
    "11488-4": _("Consultation report"),
    "34117-2": _("History and physical examination"),
    "11504-8": _("Operative report"),
    "28570-0": _("Procedure report"),
    "11506-3": _("Progress note"),
    "18748-4": _("Imaging report"),
    "18842-5": _("Hospital discharge report"),
    "18761-7": _("Transfer summary"),
    "57133-1": _("Referral letter"),
    "18776-5": _("Care plan"),
}
CDA_CATEGORY = "Clinical document (HL7 CDA)"  # as the CDA importer names it
XML_TYPES = ("text/xml", "application/xml")
BADGES = {
    "application/pdf": "PDF",
    "application/vnd.ant.fit": "FIT",
    "application/gpx+xml": "GPX",
    "application/vnd.garmin.tcx+xml": "TCX",
    "application/zip": "ZIP",
    "text/xml": "XML",
    "application/xml": "XML",
}


def size_words(size: int) -> str:
    """A file's size as people say it: « 53 ko », « 1,4 Mo » (« 53 kB » in English)."""
    if size < 1024:
        return gettext("%(n)s bytes") % {"n": number_format(size)}
    if size < 1024 * 1024:
        return gettext("%(n)s kB") % {"n": number_format(round(size / 1024))}
    mb = size / (1024 * 1024)
    shown = number_format(round(mb, 1) if mb < 10 else round(mb), decimal_pos=1 if mb < 10 else 0)
    return gettext("%(n)s MB") % {"n": shown}


def is_cda(resource: dict) -> bool:
    return any(c.get("text") == CDA_CATEGORY for c in resource.get("category") or [])


def kind_of_document(resource: dict) -> str:
    """What the document is (« Synthèse médicale »): its code, else its own type's words.

    A document the person added is named by the type they chose (in the page's language).
    """
    concept = resource.get("type") or {}
    added = any(
        t.get("code") == ENTERED_BY_PERSON["code"]
        for t in (resource.get("meta") or {}).get("tag") or []
    )
    kinds = {**DOCUMENT_KINDS, **UPLOAD_KINDS} if added else DOCUMENT_KINDS
    for coding in concept.get("coding") or []:
        if coding.get("code") in kinds:
            return str(kinds[coding["code"]])
    if words.has_display(concept):  # a code of Carnet's display table (a watch's file…)
        return str(words.label(concept))
    if concept.get("text"):
        return words.older_kind(str(concept["text"])) or str(concept["text"])
    for coding in concept.get("coding") or []:
        if coding.get("display"):
            return str(coding["display"])
    return str(_("CDA document")) if is_cda(resource) else ""


def _title(resource: dict, main: dict) -> str:
    """A document's title; « Activity file (FIT): run.fit », as written before, is « run.fit »
    (its kind is said apart, in the page's language)."""
    title = str(words.document_title(resource)) or main.get("title") or ""
    kind, sep, rest = title.partition(": ")
    return rest if sep and rest and words.older_kind(kind) else title


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


def _attachment(permit, content: bytes, content_type: str, title: str) -> dict:
    blob_id = documents.put(permit, content)
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
    purpose: str = Purpose.SELF,
) -> dict:
    """Check, clean and keep one file with its DocumentReference; Refused or NotFound.

    ``purpose`` is ``proxy`` when a relative who manages the record adds it for the person."""
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
    patient = own_patient(actor, patient_id, purpose)  # asks access before any file is written
    permit = access.require(actor, patient_id, Action.CREATE, purpose, audit_now=False)
    written = []
    try:
        main = _attachment(permit, content, CONTENT_TYPES[kind], title or str(label))
        written.append(main["url"].split("/", 1)[1])
        contents = [{"attachment": main, "format": {"system": FORMAT_SYSTEM, "code": "original"}}]
        if thumb:
            small = _attachment(permit, thumb, "image/jpeg", "preview")
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
        return services.create(actor, patient_id, resource, purpose)
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
    cda: bool = False

    @property
    def size_words(self) -> str:
        return size_words(self.size)

    @property
    def badge(self) -> str:
        """The file's format in a few letters, on the list when there is no preview."""
        return "CDA" if self.cda else BADGES.get(self.content_type, "DOC")

    @property
    def format_words(self) -> str:
        """What kind of file, in words: « Document CDA », « PDF, 2 pages », « Photo »."""
        if self.cda:
            return str(_("CDA document"))
        if self.content_type == "application/pdf":
            return f"PDF, {pages_words(self.pages)}" if self.pages else "PDF"
        return file_words(self.content_type)


def pages_words(n: int) -> str:
    return ngettext("%(counter)s page", "%(counter)s pages", n) % {"counter": number_format(n)}


def file_words(content_type: str) -> str:
    if content_type == "application/pdf":
        return "PDF"
    if content_type.startswith("image/"):
        return str(_("Photo"))
    return str(_("File"))


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
    return Document(
        id=resource.get("id", ""),
        title=_title(resource, main),
        type_label=kind_of_document(resource),
        day=dates.day(day),
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
        cda=is_cda(resource),
    )


def _format(content: dict) -> str:
    return (content.get("format") or {}).get("code", "")


def listing(
    actor: Actor, patient_id: int, *, count: int = 100, purpose: str = Purpose.SELF
) -> list[Document]:
    page = services.search(actor, patient_id, "DocumentReference", purpose, count=count)
    return [describe(r) for r in page.resources]


def _read(actor: Actor, document_id: str, purpose: str | None) -> tuple[Permit, dict]:
    """The DocumentReference and its record, read through access (audited); NotFound."""
    patient_id = services.owner_patient_of("DocumentReference", document_id)
    if patient_id is None:
        raise NotFound()
    purpose = purpose or services.self_purpose(actor, patient_id)
    return services.read_with_permit(actor, "DocumentReference", document_id, purpose)


def _files(resource: dict) -> list[dict]:
    """The attachments kept as files, originals first (the document, then what it holds)."""
    return [
        c
        for c in resource.get("content") or []
        if str((c.get("attachment") or {}).get("url") or "").startswith("Binary/")
    ]


def _get(permit: Permit, attachment: dict) -> bytes:
    try:
        return documents.get(permit, attachment["url"].split("/", 1)[1])
    except FileNotFoundError:
        raise NotFound() from None


def open_file(
    actor: Actor, document_id: str, which: str, purpose: str | None = None
) -> tuple[bytes, str, str]:
    """A file of a document after access (audited); NotFound otherwise.

    ``which``: "original" (the document as received), "preview", or "file:N" (the Nth
    file kept, counting from 0: a CDA and the PDF it carries, say).
    """
    permit, resource = _read(actor, document_id, purpose)
    files = [c for c in _files(resource) if _format(c) != "preview"]
    if which == "preview":
        files = [c for c in _files(resource) if _format(c) == "preview"]
    elif which.startswith("file:"):
        n = which.partition(":")[2]
        files = files[int(n) :][:1] if n.isdigit() else []
    for c in files[:1]:
        att = c["attachment"]
        data = _get(permit, att)
        return data, att.get("contentType") or "application/octet-stream", att.get("title") or ""
    raise NotFound()


@dataclass
class FileLink:
    n: int  # for ``open_file(..., f"file:{n}")``
    words: str  # « Document CDA, 53 ko »


@dataclass
class Reading:
    """What a document's page shows."""

    document: Document
    sections: list[cda_narrative.Section]
    files: list[FileLink]

    @property
    def unreadable(self) -> bool:
        """A clinical document whose words Carnet could not show (a scan, say)."""
        return self.document.cda and not self.sections


def reading(actor: Actor, document_id: str, purpose: str | None = None) -> Reading:
    """A document's kind, files and, for a clinical document, its own narrative (safe
    HTML), read through access (audited); NotFound when the actor may not see it."""
    permit, resource = _read(actor, document_id, purpose)
    document = describe(resource)
    sections: list[cda_narrative.Section] = []
    links = []
    for n, c in enumerate(c for c in _files(resource) if _format(c) != "preview"):
        att = c["attachment"]
        kind = str(att.get("contentType") or "")
        if document.cda and kind in XML_TYPES and n == 0:
            sections = cda_narrative.sections(_get(permit, att))
            words = str(_("CDA document"))
        elif kind == "application/pdf" and document.pages:
            words = f"PDF, {pages_words(document.pages)}"
        else:
            words = file_words(kind)
        links.append(FileLink(n, f"{words}, {size_words(int(att.get('size') or 0))}"))
    return Reading(document, sections, links)
