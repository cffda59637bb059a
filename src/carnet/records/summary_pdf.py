"""The record's summary and emergency card on paper: what they hold, and their PDF.

``paper_summary`` gathers what the printed summary shows, in one audited read
(``records.current.summary``): identity, blood group, allergies, active problems, current
treatments, vaccinations, latest measurements, emergency contacts and advance directives.
Unlike the home page, nothing is cut to a few lines: paper has room for the whole list.
``render_pdf`` turns the same templates as the print view into a PDF with xhtml2pdf
(pure Python), without fetching anything from the network.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import get_language_bidi

from carnet.access.services import Actor, Purpose

from . import current as records_current
from . import fhir, words
from .current import Current, Item

LOINC = "http://loinc.org"
ADVANCE_DIRECTIVES = "42348-3"
SOURCE_TEXT = "https://carnet.example/fhir/StructureDefinition/source-text"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass
class Vaccine:
    title: str
    last: words.When | None = None  # « 1975 » when the source gives the year only
    doses: int = 0


@dataclass
class Paper:
    current: Current
    person: dict
    problems: list[Item] = field(default_factory=list)
    allergies: list[Item] = field(default_factory=list)
    treatments: list[Item] = field(default_factory=list)
    vaccines: list[Vaccine] = field(default_factory=list)
    directives: list[dict] = field(default_factory=list)

    @property
    def directive_documents(self) -> list[str]:
        """The documents the directives are written in (to read them there)."""
        return list(dict.fromkeys(d["document_id"] for d in self.directives if d["document_id"]))

    @property
    def blood_group(self) -> str:
        return self.current.blood_group

    @property
    def vitals(self):
        return self.current.vitals


def _directive(r: dict) -> dict | None:
    codes = {c.get("code") for cat in r.get("category") or [] for c in cat.get("coding") or []} | {
        c.get("code") for c in (r.get("scope") or {}).get("coding") or []
    }
    if not codes & {ADVANCE_DIRECTIVES, "adr"} or r.get("status") not in ("active", None):
        return None
    text = ""
    attachment = r.get("sourceAttachment") or {}
    if attachment.get("data") and str(attachment.get("contentType", "")).startswith("text/"):
        try:
            text = base64.b64decode(attachment["data"]).decode("utf-8", "replace").strip()
        except ValueError:
            text = ""
    # Words the source gave with it (an imported directive's comment, or the text of a
    # document's section of directives), kept as written.
    source = [
        e.get("valueString")
        for e in r.get("extension") or []
        if e.get("url") == SOURCE_TEXT and isinstance(e.get("valueString"), str)
    ]
    text = "\n".join([t for t in [text, *source] if t])
    decision = words.directive_decision(r)
    ref = (r.get("sourceReference") or {}).get("reference") or ""
    return {
        # An imported directive: what it is about (« réanimation cardiaque… »).
        "title": attachment.get("title") or words.title(r),
        "decision": decision or "",
        "text": text,
        "when": fhir.clinical_shown(r),
        "document_id": ref.partition("/")[2] if ref.startswith("DocumentReference/") else "",
    }


def paper_summary(actor: Actor, patient_id: int, purpose: str = Purpose.SELF) -> Paper:
    """Everything the printed summary and the emergency card show (NotFound when refused)."""
    cur = records_current.summary(
        actor, patient_id, purpose, preload=("Patient", "Immunization", "Consent")
    )
    paper = Paper(current=cur, person=words.person_of(records_current.resources(cur, "Patient")))
    if cur.empty and not cur.counts:
        return paper
    # The whole lists (the home page shows only the first few).
    paper.problems = [
        records_current._problem_item(r)
        for r in records_current.resources(cur, "Condition")
        if records_current._active_problem(r)
    ]
    allergies = [
        r
        for r in records_current.resources(cur, "AllergyIntolerance")
        if records_current._status(r.get("clinicalStatus")) in ("", "active")
        and not words.codes(r.get("verificationStatus")) & {"refuted", "entered-in-error"}
    ]
    known = [
        r for r in allergies if not words.codes(r.get("code")) & records_current.NO_KNOWN_ALLERGY
    ]
    paper.allergies = [records_current._allergy_item(r) for r in known or allergies]
    meds = [
        r
        for rtype in ("MedicationRequest", "MedicationStatement")
        for r in records_current.resources(cur, rtype)
        if r.get("status") in ("active", "intended", "on-hold")
    ]
    paper.treatments = [records_current._treatment_item(r) for r in meds]
    vaccines: dict[str, Vaccine] = {}
    for r in records_current.resources(cur, "Immunization"):  # newest first
        if r.get("status") not in ("completed", None):
            continue
        title = words.title(r)
        if title.generic:
            continue
        found = vaccines.setdefault(
            title.lower(),
            Vaccine(title, words.when(r)),
        )
        found.doses += 1
    paper.vaccines = sorted(vaccines.values(), key=lambda v: v.title.lower())
    paper.directives = [
        d for d in map(_directive, records_current.resources(cur, "Consent")) if d is not None
    ]
    return paper


# --- PDF --------------------------------------------------------------------------------------


def _pdf_css(card: bool) -> str:
    """Print CSS for xhtml2pdf: the print stylesheet, a page size, a font with accents.

    xhtml2pdf knows no logical property (``padding-inline-start``, ``text-align: start``):
    the sides are written here, mirrored for a language written right to left.
    """
    start, end = ("right", "left") if get_language_bidi() else ("left", "right")
    css = []
    path = finders.find("records/print.css")
    if path:
        css.append(Path(path).read_text(encoding="utf-8"))
    family = "Helvetica"
    if (FONT_DIR / "DejaVuSans.ttf").exists():
        family = "Carnet"
        css.append(
            f'@font-face {{ font-family: Carnet; src: url("{FONT_DIR / "DejaVuSans.ttf"}"); }}'
            f'@font-face {{ font-family: Carnet; font-weight: bold; src: url("{FONT_DIR / "DejaVuSans-Bold.ttf"}"); }}'
        )
    if card:
        css.append(
            "@page { size: 85.6mm 54mm; margin: 3mm; }"
            f"body {{ font-family: {family}; font-size: 6pt; line-height: 1.15; }}"
            "h1 { font-size: 8pt; margin: 0 0 1mm 0; } h2 { font-size: 6.5pt; margin: 1mm 0 0 0; }"
            f"ul {{ margin: 0; padding: 0; padding-{start}: 3mm; }} p {{ margin: 0 0 0.5mm 0; }}"
            f"body {{ text-align: {start}; }}"
        )
    else:
        css.append(
            "@page { size: a4 portrait; margin: 15mm; "
            "@frame footer { -pdf-frame-content: pdf-footer; bottom: 5mm; margin-left: 15mm; "
            "margin-right: 15mm; height: 8mm; } }"
            f"body {{ font-family: {family}; font-size: 10pt; line-height: 1.3; }}"
            "h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 4mm; }"
            f"body {{ text-align: {start}; }} .paper-list {{ padding-{start}: 5mm; padding-{end}: 0; }}"
            f"table {{ width: 100%; }} td, th {{ padding: 1mm; text-align: {start}; vertical-align: top; }}"
        )
    return "\n".join(css)


def _no_network(uri: str, rel: str) -> str:
    """Only local fonts: a PDF of a health record never fetches anything."""
    return uri if uri.startswith(str(FONT_DIR)) else ""


def render_pdf(template: str, context: dict, *, card: bool = False) -> bytes:
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    html = render_to_string(template, {**context, "pdf_css": _pdf_css(card), "pdf": True})
    out = io.BytesIO()
    # xhtml2pdf reads local files only under the directory it is told: the fonts' (without
    # it the fonts were refused and Helvetica drew, with no Arabic, Turkish ğ/ş or « ≥ »).
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=FONT_DIR)
    result = pisa.CreatePDF(
        html,
        dest=out,
        encoding="utf-8",
        link_callback=_no_network,
        resource_policy=policy,
    )
    if result.err:
        raise RuntimeError("the PDF could not be made")
    return out.getvalue()
