"""Words a person reads: the one place that turns FHIR data into plain words.

Every page, the printed summary (PDF), the emergency view, the chat, the sharing page and
the reminders call these functions (and nothing else) to name an item, say its value, its
date, a unit, a blood pressure, a person's name:

- ``label(concept)``: the name of a coded thing in the reader's language, from Carnet's
  display table (``data/displays.tsv``: measurements, common labs and panels, vaccines,
  visit types, frequent conditions, procedures and medicines, with their sources). A code
  Carnet does not know keeps the source's own words, marked ``original`` (pages show
  « texte d'origine » once per item, and not at all when the file said it was written in
  the page's language: ``as_read``); labels written in capitals (CDA) are put in sentence
  case; a code the source wrote into a name (« … (CIM-10 : E06.3) ») is taken out of it,
  to be shown apart (``Label.code``).
- ``title(resource)``: the one name of an item (a vaccine, a medicine, a test, a visit, a
  document: ``document_title``), the same on every page; a heart rate measured during
  exercise says so; an item without a name of its own is called by its ``kind``.
- ``kind(resource)``: what an item is, in a word (« Vaccin », « Mesure »); ``KINDS`` and
  ``summarise``: the kinds grouped as the home page and the emergency view list them.
- ``value(resource)``: an observation's value with its unit; a blood pressure as
  « 118/74 mmHg », systolic and diastolic found by their LOINC codes, never by position
  (``components``); ``quantity(q)``, ``unit(code)`` (``data/units.tsv``: « kg/m² »,
  « battements par minute », never « kg/m2 » or « {score} »).
- ``detail(resource)``: what a list says after the name (a dosage, an allergy's reactions).
- ``when(resource)``: when it happened, as much of the date as the source gave (« 1975 »),
  written by the ``day`` template filter (``templatetags/words.py``).
- ``person_name``, ``person_of``: people's names, the person's contacts and doctor;
  ``describe`` and ``readable``: a whole record in words (emergency view, chat, proxy).
- ``number(value)``: a number for people, in the reader's language (« 118,34 » in
  French, « 118.34 » in English). Numbers for machines (SVG, data attributes, JSON,
  iCal, FHIR) never go through it: ``coordinate`` writes them with a dot, always.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from carnet.access import labels as access_labels
from carnet.records.data import fold

from . import data, dates, fhir

HERE = Path(__file__).resolve().parent / "data"
LANGS = ("fr", "en")  # the first two columns of the display and unit tables
UNIT_LANGS = ("es", "ar", "pt", "tr")  # their more columns (the other languages of the pages)
PAGE_LANGS = (*LANGS, *UNIT_LANGS)  # every language of the tables (and of the words searched)

# Short names of the code systems in the display table, and every URI that means the same.
SYSTEMS = {
    "loinc": ("http://loinc.org", "urn:oid:2.16.840.1.113883.6.1"),
    "snomed": ("http://snomed.info/sct", "urn:oid:2.16.840.1.113883.6.96"),
    "cvx": (
        "http://hl7.org/fhir/sid/cvx",
        "urn:oid:2.16.840.1.113883.12.292",
        "urn:oid:2.16.840.1.113883.6.59",
    ),
    "atc": ("http://www.whocc.no/atc", "urn:oid:2.16.840.1.113883.6.73"),
    "rxnorm": ("http://www.nlm.nih.gov/research/umls/rxnorm", "urn:oid:2.16.840.1.113883.6.88"),
    "ucum": ("http://unitsofmeasure.org", "urn:oid:2.16.840.1.113883.6.8"),
    "condition-clinical": ("http://terminology.hl7.org/CodeSystem/condition-clinical",),
    "allergy-clinical": ("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",),
    "carnet-document": ("https://carnet.sante.fr/fhir/CodeSystem/document-type",),
}
SHORT = {uri: short for short, uris in SYSTEMS.items() for uri in uris}
# Medicines by their French CIS code: the name is the one of the public medicines database.
CIS_SYSTEM = "urn:oid:1.2.250.1.213.2.3.1"

SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"
# Component pairs written "a/b": (first, second) by code.
PAIRS = ((SYSTOLIC, DIASTOLIC),)
# SNOMED CT's semantic tag at the end of a display: « Viral sinusitis (disorder) ».
SEMANTIC_TAG = re.compile(
    r"\s*\((disorder|finding|procedure|situation|regime/therapy|observable entity|"
    r"substance|product|event|body structure|morphologic abnormality|qualifier value|"
    r"person|environment|physical object|record artifact|medicinal product)\)\s*$"
)
# Short words kept in lower case when a label in capitals is put in sentence case.
SMALL_WORDS = {
    "a", "à", "au", "aux", "de", "des", "du", "en", "et", "la", "le", "les", "par", "sur",
    "pour", "dans", "sans", "avec", "un", "une", "ou", "l", "d", "of", "the", "and", "in",
    "on", "by", "for", "to", "with",
}  # fmt: skip
# Acronyms of four letters or more kept in capitals (three letters or fewer always are).
ACRONYMS = {"ECBU", "BPCO", "ASAT", "ALAT", "TCMH", "CCMH", "IRM", "HBA1C", "INR", "FEV1"}


# --- The reader's language and numbers ---------------------------------------------------------


def lang() -> str:
    """The language of the page being written (one of ``PAGE_LANGS``), French by default."""
    code = (get_language() or "fr")[:2].lower()
    return code if code in PAGE_LANGS else "fr"


def number(value, digits: int = 2) -> str:
    """A number as a person reads it in the page's language (no trailing zeros), rounded
    half up to ``digits`` decimals (see ``digits_for``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        try:
            shown = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        except InvalidOperation:  # too many digits to round (1e30): a person reads it whole
            shown = Decimal(value).to_integral_value(rounding=ROUND_HALF_UP)
        value = int(shown) if shown == shown.to_integral_value() else float(shown)
    return number_format(value, force_grouping=False)


def coordinate(value: float) -> str:
    """A number for a machine (an SVG coordinate): a dot, one decimal, whatever the language."""
    return f"{float(value):.1f}"


# --- The tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Display:
    fr: str
    en: str
    source: str
    more: tuple[tuple[str, str], ...] = ()  # (language, words) for the other languages

    def text(self, language: str | None = None) -> str:
        language = language or lang()
        if language in LANGS:
            return getattr(self, language) or self.en or self.fr
        # Spanish, Arabic, Portuguese, Turkish: their own words, else the French ones (the
        # words of the person's French documents and laboratories), else the English ones.
        return dict(self.more).get(language) or self.fr or self.en


def _rows(name: str):
    with (HERE / name).open(encoding="utf-8", newline="") as f:
        lines = (line for line in f if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


@cache
def table() -> dict[tuple[str, str], Display]:
    """{(system short name, code): display} of ``data/displays.tsv``."""
    out = {}
    for row in _rows("displays.tsv"):
        key = (row["system"].strip(), row["code"].strip())
        if key[0] not in SYSTEMS:
            raise ValueError(f"displays.tsv: unknown system {key[0]!r}")
        if key in out:
            raise ValueError(f"displays.tsv: {key} twice")
        out[key] = Display(
            row["fr"].strip(),
            row["en"].strip(),
            row["source"].strip(),
            tuple((la, (row.get(la) or "").strip()) for la in UNIT_LANGS if row.get(la)),
        )
    return out


@cache
def unit_table() -> dict[tuple[str, str], Display]:
    """{(UCUM code, LOINC code of the measure or ''): words} of ``data/units.tsv``."""
    return {
        (row["ucum"], row["context"].strip()): Display(
            row["fr"],
            row["en"],
            row["source"],
            tuple((la, row[la]) for la in UNIT_LANGS if row.get(la)),
        )
        for row in _rows("units.tsv")
    }


@cache
def precision_table() -> dict[tuple[str, str], int]:
    """{(UCUM code, LOINC code or ''): decimals a person reads} (``digits`` of units.tsv)."""
    return {
        (row["ucum"], row["context"].strip()): int(row["digits"])
        for row in _rows("units.tsv")
        if (row.get("digits") or "").strip()
    }


def digits_for(code: str | None, context: str | None = None, default: int = 2) -> int:
    """How many decimals a person reads for a value in this unit, of this measure (a blood
    pressure whole, a weight to 0.1 kg); for people's text only, never for machines."""
    table = precision_table()
    code = str(code or "")
    for key in ((code, context or ""), (code, "")):
        if key in table:
            return table[key]
    return default


# Carnet's own codes (``importers.common.CARNET``): what a file gives without a standard code
# (a sport, a summary's minimum, a kind of file), said through gettext in the page's language.
CARNET = "https://carnet.example/fhir/CodeSystem/carnet"
CARNET_WORDS = {
    # A summary of several measurements (its value is their mean).
    "minimum": gettext_lazy("minimum"),
    "maximum": gettext_lazy("maximum"),
    "measurement-count": gettext_lazy("number of measurements"),
    "distance": gettext_lazy("distance"),
    # Sports, as watches and apps name them (FIT, Apple Health, TCX, GPX).
    "activity": gettext_lazy("Physical activity"),
    "generic": gettext_lazy("Physical activity"),
    "other": gettext_lazy("Physical activity"),
    "running": gettext_lazy("Running"),
    "cycling": gettext_lazy("Cycling"),
    "biking": gettext_lazy("Cycling"),
    "walking": gettext_lazy("Walking"),
    "hiking": gettext_lazy("Hiking"),
    "swimming": gettext_lazy("Swimming"),
    "rowing": gettext_lazy("Rowing"),
    "yoga": gettext_lazy("Yoga"),
    "training": gettext_lazy("Training"),
    "traditional-strength-training": gettext_lazy("Strength training"),
    "functional-strength-training": gettext_lazy("Strength training"),
    "high-intensity-interval-training": gettext_lazy("Interval training"),
    "elliptical": gettext_lazy("Elliptical trainer"),
    # Kinds of files kept as documents.
    "fit-file": gettext_lazy("Activity file (FIT)"),
    "gpx-file": gettext_lazy("GPS track (GPX)"),
    "tcx-file": gettext_lazy("Activity file (TCX)"),
    "apple-health-export": gettext_lazy("Apple Health export"),
    "wearable-data": gettext_lazy("Watch or health app data"),
}


def carnet_words(system: str | None, code: str | None) -> str:
    """Carnet's words for one of its own codes ("" when it is not one Carnet names)."""
    if system != CARNET or not code:
        return ""
    return str(CARNET_WORDS.get(str(code), ""))


def known(system: str | None, code: str | None) -> Display | None:
    """Carnet's display of a code, or None."""
    short = SHORT.get(system or "")
    if short is None or not code:
        return None
    return table().get((short, str(code).strip()))


# --- Labels -------------------------------------------------------------------------------------


class Label(str):
    """Words naming a thing. ``original``: the source's own words, for a code Carnet does not
    know, in a language that may not be the reader's (pages mark them once per item,
    « texte d'origine »); ``named``: Carnet's own words for the code (its display table, or
    the public medicines database); ``code``: the code the source wrote into its words
    (« CIM-10 E06.3 »), taken out of the name to be shown apart, small; ``generic``: not a
    name but the item's kind (« Vaccin »), for an item without a name of its own."""

    original: bool = False
    named: bool = False
    code: str = ""
    generic: bool = False

    def __new__(
        cls,
        text: str,
        original: bool = False,
        named: bool = False,
        code: str = "",
        generic: bool = False,
    ):
        obj = super().__new__(cls, text)
        obj.original = original
        obj.named = named
        obj.code = code
        obj.generic = generic
        return obj


# « Thyroïdite auto-immune (CIM-10 : E06.3) »: a code written at the end of a name.
CODE_IN_NAME = re.compile(r"^(?P<name>.*\S)\s*\((?P<code>[^()]*?[\s:](?P<value>[^\s():]+))\s*\)$")


def split_code(text: str, known_codes: set[str]) -> tuple[str, str]:
    """(name, code written in it) of a source's words: the code is taken out of the name
    when it is one of the item's own codes (« Epilepsie (DRC : 114) » -> « Epilepsie »,
    « DRC 114 »); other words between brackets stay (« Autre problème (texte libre) »)."""
    found = CODE_IN_NAME.match(text)
    if found and found["value"] in known_codes:
        system = found["code"][: -len(found["value"])].strip().rstrip(":").strip()
        return found["name"], f"{system} {found['value']}".strip()
    return text, ""


def sentence_case(text: str) -> str:
    """« GLYCEMIE A JEUN » -> « Glycemie a jeun »; short acronyms (« TSH ») stay in capitals;
    text that is not all in capitals is returned as is."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or any(c.islower() for c in letters):
        return text
    words = re.split(r"(\W+)", text)
    long_word = any(len(w) > 3 and w not in ACRONYMS for w in words if w.isalpha())
    if not long_word:
        return text
    out = []
    for w in words:
        if not w.isalpha() or w in ACRONYMS or (len(w) <= 3 and w.lower() not in SMALL_WORDS):
            out.append(w)  # a separator, or an acronym (TSH, HDL, VIH, ECBU)
        else:
            out.append(w.lower())
    first = next((i for i, w in enumerate(out) if w[:1].isalpha()), None)
    if first is not None:
        out[first] = out[first][:1].upper() + out[first][1:]
    return "".join(out)


def source_words(text: str) -> str:
    """The source's own words, tidied: no SNOMED semantic tag, no label in capitals."""
    return sentence_case(SEMANTIC_TAG.sub("", str(text)).strip())


def _concepts(concept) -> list[dict]:
    items = concept if isinstance(concept, list) else [concept]
    return [c for c in items if isinstance(c, dict)]


def _codings(concept) -> list[dict]:
    return [x for c in _concepts(concept) for x in c.get("coding") or [] if isinstance(x, dict)]


def _cis_name(coding: dict) -> str:
    if coding.get("system") != CIS_SYSTEM or not coding.get("code"):
        return ""
    found = data.medicine(str(coding["code"]))
    return found.name if found else ""


def label(concept, default: str = "") -> Label:
    """The name of a CodeableConcept (or a list of them) in the page's language.

    Carnet's display of one of its codes; else the source's text (its ``text``, else the
    first display), marked ``original`` when it names a code Carnet does not know; else
    ``default``.
    """
    codings = _codings(concept)
    for coding in codings:
        own = carnet_words(coding.get("system"), coding.get("code"))
        if own:
            return Label(own, named=True)
        found = known(coding.get("system"), coding.get("code"))
        if found is not None:
            return Label(found.text(), named=True)
    # A French medicine (CIS code): Carnet knows it; the prescriber's words come first.
    medicine = next((name for name in map(_cis_name, codings) if name), "")
    unknown = any(c.get("code") for c in codings) and not medicine
    own_codes = {str(c["code"]) for c in codings if c.get("code")}
    for c in _concepts(concept):
        if c.get("text"):
            name, code = split_code(source_words(c["text"]), own_codes)
            return Label(name, original=unknown, code=code)
    if medicine:
        return Label(medicine, named=True)
    for coding in codings:
        if coding.get("display"):
            name, code = split_code(source_words(coding["display"]), own_codes)
            return Label(name, original=True, code=code)
    for coding in codings:
        if coding.get("code"):
            return Label(str(coding["code"]), original=True)
    return Label(default)


def older_kind(text: str | None) -> str:
    """The kind of a watch's or app's file imported before its type had a code (only its
    English words, « Activity file (FIT) »), in the page's language; '' for other text."""
    for (system, _code), display in table().items():
        if text and system == "carnet-document" and display.en == text:
            return display.text()
    return ""


def has_display(concept) -> bool:
    """Whether Carnet names this concept itself (one of its codes is in the table)."""
    return any(known(c.get("system"), c.get("code")) for c in _codings(concept))


def codes(concept) -> set[str]:
    return {str(c["code"]) for c in _codings(concept) if c.get("code")}


# --- Titles of items ----------------------------------------------------------------------------

TITLE_FIELDS = ("code", "vaccineCode", "medicationCodeableConcept", "codeCodeableConcept", "type")


def _folded(text: str) -> str:
    """Text without case and accents, to compare two spellings of the same words."""
    return " ".join(fold(str(text)).split())


def document_title(resource: dict) -> Label:
    """A document's name, the same on every page: its own title (as its author wrote it:
    « Historique de vaccinations »), a title in capitals put in sentence case, with the
    accents of the document's own type when they are the same words (« SYNTHESE MEDICALE »
    -> « Synthèse médicale »); '' when the document has no title of its own."""
    own = resource.get("description") if isinstance(resource.get("description"), str) else ""
    if not own:
        for content in resource.get("content") or []:
            own = str((content.get("attachment") or {}).get("title") or "")
            if own:
                break
    own = own.strip()
    if not own:
        return Label("")
    concept = resource.get("type") if isinstance(resource.get("type"), dict) else {}
    spellings = [concept.get("text") or ""] + [c.get("display") or "" for c in _codings(concept)]
    for spelling in spellings:
        if spelling and spelling != own and _folded(spelling) == _folded(own):
            if any(c.islower() for c in spelling):
                return Label(spelling)
    return Label(sentence_case(own))


def in_readers_language(resource: dict) -> bool:
    """Whether the file said it was written in the page's language (``Resource.language``,
    set from a CDA's ``languageCode``): its own words then need no « texte d'origine » mark."""
    written = str(resource.get("language") or "")[:2].lower()
    return bool(written) and written == lang()


def as_read(found, resource: dict):
    """A source's words as the reader gets them: not marked when written in their language."""
    if isinstance(found, Label) and found.original and in_readers_language(resource):
        return Label(str(found), named=found.named, code=found.code)
    return found


def title(resource: dict) -> Label:
    """The one name of an item on every page, the PDF, the chat and the emails: a vaccine, a
    medicine, a test, a problem, a visit, a document; a heart rate measured during exercise
    says so (never read as the heart rate at rest); an item without a name of its own is
    called by its kind (« Vaccin », ``Label.generic``)."""
    if is_heart_rate(resource) and heart_rate_context(resource) == "effort":
        return Label(str(HR_LABELS["effort"]), named=True)
    found = as_read(_name(resource), resource)
    return found or Label(kind(resource), generic=True)


def _name(resource: dict) -> Label:
    rtype = resource.get("resourceType", "")
    if rtype == "DocumentReference":
        kind = older_kind((resource.get("type") or {}).get("text"))
        if kind and not (resource["type"].get("coding")):
            return Label(kind, named=True)
        for coding in _codings(resource.get("type")):  # a kind of file Carnet names itself
            if SHORT.get(coding.get("system")) == "carnet-document" and known(
                coding.get("system"), coding.get("code")
            ):
                return label(resource["type"])
        found = document_title(resource)
        if found:
            return found
    for name in TITLE_FIELDS:
        if resource.get(name):
            found = label(resource[name])
            if found:
                return found
    supplied = resource.get("suppliedItem")  # a device handed out (SupplyDelivery)
    if isinstance(supplied, dict) and supplied.get("itemCodeableConcept"):
        found = label(supplied["itemCodeableConcept"])
        if found:
            return found
    ref = resource.get("medicationReference")
    if isinstance(ref, dict) and ref.get("display"):
        return Label(str(ref["display"]))
    desc = resource.get("description")
    if isinstance(desc, dict):
        found = label(desc)
        if found:
            return found
    if rtype == "DocumentReference" or resource.get("content"):
        for content in resource.get("content") or []:
            title = (content.get("attachment") or {}).get("title")
            if title:
                return Label(sentence_case(str(title)))
    if isinstance(desc, str) and desc:
        return Label(sentence_case(desc))
    if rtype == "CarePlan":
        return label(resource.get("category"))
    if rtype == "FamilyMemberHistory":
        return label(resource.get("relationship"))
    if rtype == "Consent":
        # An imported directive names what it is about after the general category.
        about = label((resource.get("category") or [])[1:])
        return about or Label(_("Advance directives"))
    if rtype == "ImagingStudy":
        for series in resource.get("series") or []:
            site = series.get("bodySite") or {}
            if site.get("display") or site.get("code"):
                return label({"coding": [site]})
    return Label("")


# --- Units and values ---------------------------------------------------------------------------


def _plural(words: str, value) -> str:
    """'point|points' -> the form for ``value`` in the page's language."""
    if "|" not in words:
        return words
    one, other = words.split("|", 1)
    if not isinstance(value, int | float):
        return other
    single = abs(value) < 2 if lang() == "fr" else value == 1  # fr: « 1,5 point »
    return one if single else other


def unit(code: str | None, value=None, context: str | None = None) -> str:
    """A unit in plain words (UCUM code or the source's unit text); unknown units as given."""
    code = str(code or "")
    units = unit_table()
    found = units.get((code, context or "")) or units.get((code, ""))
    if found is None:
        return code
    return _plural(found.text(), value)


def quantity(q, context: str | None = None) -> str:
    """« 72 battements par minute », « 27,4 kg/m² », « 118,34 mmHg »."""
    if not isinstance(q, dict) or "value" not in q:
        return ""
    code = (
        q.get("code")
        if q.get("code") and q.get("system", "").endswith("unitsofmeasure.org")
        else None
    )
    written = code or q.get("unit") or q.get("code") or ""
    shown = unit(written, q["value"], context)
    return f"{number(q['value'], digits_for(written, context))} {shown}".strip()


def measure_code(resource: dict) -> str | None:
    """The LOINC code of a measure (to choose the words of its unit)."""
    for coding in _codings(resource.get("code")):
        if SHORT.get(coding.get("system") or "") == "loinc" and coding.get("code"):
            return str(coding["code"])
    return None


def _by_code(resource: dict) -> dict[str, dict]:
    by_code: dict[str, dict] = {}
    for comp in resource.get("component") or []:
        if isinstance(comp, dict):
            for code in codes(comp.get("code")):
                by_code.setdefault(code, comp)
    return by_code


def pair(resource: dict, first: str = SYSTOLIC, second: str = DIASTOLIC):
    """The values of two components found by their codes (a blood pressure's systolic and
    diastolic by default), whatever their order in the file; None for a missing one."""
    by_code = _by_code(resource)

    def value(code):
        q = (by_code.get(code) or {}).get("valueQuantity")
        v = q.get("value") if isinstance(q, dict) else None
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    return value(first), value(second)


def pair_text(
    first: float, second: float, unit_code: str = "mm[Hg]", codes=(SYSTOLIC, DIASTOLIC)
) -> str:
    """« 118/74 » (the unit is said once, after), each with the precision of its measure."""
    a, b = (digits_for(unit_code, code) for code in codes)
    return f"{number(first, a)}/{number(second, b)}"


def components(resource: dict) -> str:
    """An observation's components in words: a blood pressure « 118/74 mmHg » (systolic and
    diastolic found by their LOINC codes, whatever their order), others « name: value »."""
    parts = [c for c in resource.get("component") or [] if isinstance(c, dict)]
    by_code = _by_code(resource)
    out, used = [], set()
    for first, second in PAIRS:
        a, b = by_code.get(first), by_code.get(second)
        qa, qb = (a or {}).get("valueQuantity"), (b or {}).get("valueQuantity")
        if (
            not (isinstance(qa, dict) and isinstance(qb, dict))
            or "value" not in qa
            or "value" not in qb
        ):
            continue
        ua = unit(qa.get("code") or qa.get("unit"), qa["value"], first)
        ub = unit(qb.get("code") or qb.get("unit"), qb["value"], second)
        text = pair_text(
            qa["value"], qb["value"], qa.get("code") or qa.get("unit"), (first, second)
        )
        if ua != ub:
            text = f"{quantity(qa, first)}/{quantity(qb, second)}"
        out.append(f"{text} {ua}".strip() if ua == ub else text)
        used |= {id(a), id(b)}
    for comp in parts:
        if id(comp) in used:
            continue
        value = _plain_value(comp, measure_code(comp))
        if value:
            name = label(comp.get("code"))
            out.append(f"{name}{colon()}{value}" if name else value)
    return " · ".join(out)


def _plain_value(node: dict, context: str | None) -> str:
    if "valueQuantity" in node:
        return quantity(node["valueQuantity"], context)
    if "valueCodeableConcept" in node:
        return label(node["valueCodeableConcept"])
    if "valueBoolean" in node:
        return _("yes") if node["valueBoolean"] else _("no")
    if "valueInteger" in node:
        return number(node["valueInteger"])
    for key in ("valueString", "valueDateTime", "valueTime"):
        if key in node:
            return str(node[key])
    return ""


def colon() -> str:
    """What stands between a name and its value in the page's language: « : » with a space
    before it in French, « : » alone in English (the catalogue's ": ", as templates use)."""
    return pgettext("between a name and its value, in words", ": ")


def value(resource: dict) -> str:
    """An observation's value in words (« 6,9 % », « 118/74 mmHg », « Non-fumeur »); an
    advance directive's decision (« non autorisé »)."""
    if resource.get("resourceType") == "Consent":
        return directive_decision(resource)
    plain = _plain_value(resource, measure_code(resource))
    if plain:
        return as_read(plain, resource)
    return components(resource)


# --- A note that only says the value again ------------------------------------------------------

NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
# What may be left of a text once its value and unit are taken out, for it to still say
# nothing more: punctuation, and a unit written another way (« C », « bpm », « mmHg »).
LEFT = re.compile(r"[\s/:;,.()\[\]{}=\-–%°]+")


def _values(resource: dict) -> list[float]:
    nodes = [resource] + [c for c in resource.get("component") or [] if isinstance(c, dict)]
    out = []
    for node in nodes:
        q = node.get("valueQuantity")
        v = q.get("value") if isinstance(q, dict) else node.get("valueInteger")
        if isinstance(v, int | float) and not isinstance(v, bool):
            out.append(float(v))
    return out


def _said(resource: dict) -> list[str]:
    """What an item says in words: its name, its coded value, its units (every spelling)."""
    nodes = [resource] + [c for c in resource.get("component") or [] if isinstance(c, dict)]
    out = []
    for node in nodes:
        for concept in (node.get("code"), node.get("valueCodeableConcept")):
            for c in _concepts(concept):
                out.append(c.get("text") or "")
            out += [x.get("display") or "" for x in _codings(concept)]
            if concept:
                out += [
                    label(concept),
                    *(d.text(la) for la in PAGE_LANGS for d in _displays(concept)),
                ]
        q = node.get("valueQuantity")
        if isinstance(q, dict):
            for u in {q.get("unit"), q.get("code")} - {None, ""}:
                found = unit_table().get((str(u), ""))
                out.append(str(u))
                if found:
                    out += [w for la in PAGE_LANGS for w in found.text(la).split("|")]
        for key in ("valueString",):
            if node.get(key):
                out.append(str(node[key]))
    return sorted({s.strip().lower() for s in out if s and s.strip()}, key=len, reverse=True)


def _displays(concept) -> list[Display]:
    return [d for x in _codings(concept) if (d := known(x.get("system"), x.get("code")))]


def repeats_value(text: str, resource: dict) -> bool:
    """Whether a text only says again what the item says: its value (rounded or not), its
    unit, its name (« 37.58 kg/m2 », « 80 /min », « 120/80mm[Hg] », « Negative »). Such a
    text, a document's narrative cell, is not a comment; a text with anything more is."""
    rest = str(text or "").strip().lower()
    if not rest:
        return True
    for said in _said(resource):  # names and units first: « kg/m2 » holds a « 2 »
        rest = re.sub(rf"(?<![^\W\d_]){re.escape(said)}(?![^\W_])", " ", rest)
    values = _values(resource)
    matched = False
    # One half of a pair written whole (a systolic's narrative « 132/86 mmHg »): its own
    # number in its own place says the value; the other half is its sibling's.
    code = measure_code(resource)
    for first, second in PAIRS:
        if code in (first, second) and values:
            for m in re.finditer(rf"({NUMBER.pattern})\s*/\s*({NUMBER.pattern})", rest):
                mine = m.group(1 if code == first else 2).replace(",", ".")
                if abs(float(mine) - values[0]) < 1:
                    rest = rest.replace(m.group(0), " ")
                    matched = True
    for found in NUMBER.findall(rest):
        written = found.replace(",", ".")
        decimals = len(written.split(".")[1]) if "." in written else 0
        n = float(written)
        # rounded or cut short (« 108.8 » for 108.863): within one unit of its last digit
        if not any(abs(n - v) < 10**-decimals for v in values):
            return False  # a number the item does not hold: the text says more
        matched = True
    rest = LEFT.sub(" ", NUMBER.sub(" ", rest)).strip()
    if not rest:
        return True
    # A short word left next to the value: the unit written another way.
    return matched and " " not in rest and len(rest) <= 5 and rest.isalpha()


def directive_decision(resource: dict) -> str:
    """Whether an advance directive allows what it is about, in the page's language."""
    kind = (resource.get("provision") or {}).get("type") if isinstance(resource, dict) else None
    return {"permit": _("authorised"), "deny": _("not authorised")}.get(kind or "", "")


# --- Kinds of items -----------------------------------------------------------------------------

# What an item is, in a word a non-doctor understands.
TYPE_WORDS = {
    "Encounter": gettext_lazy("Visit"),
    "Condition": gettext_lazy("Health problem"),
    "AllergyIntolerance": gettext_lazy("Allergy"),
    "MedicationRequest": gettext_lazy("Prescription"),
    "MedicationStatement": gettext_lazy("Treatment"),
    "MedicationAdministration": gettext_lazy("Treatment given"),
    "MedicationDispense": gettext_lazy("Medicine handed out"),
    "Medication": gettext_lazy("Medicine"),
    "Immunization": gettext_lazy("Vaccine"),
    "Procedure": gettext_lazy("Procedure or examination"),
    "DiagnosticReport": gettext_lazy("Test report"),
    "DocumentReference": gettext_lazy("Document"),
    "Media": gettext_lazy("Photo or recording"),
    "CarePlan": gettext_lazy("Care plan"),
    "CareTeam": gettext_lazy("Care team"),
    "Goal": gettext_lazy("Goal"),
    "ServiceRequest": gettext_lazy("Request for care"),
    "Appointment": gettext_lazy("Appointment"),
    "Claim": gettext_lazy("Claim for reimbursement"),
    "ExplanationOfBenefit": gettext_lazy("Reimbursement"),
    "Coverage": gettext_lazy("Health cover"),
    "ImagingStudy": gettext_lazy("Medical imaging"),
    "FamilyMemberHistory": gettext_lazy("Family history"),
    "Device": gettext_lazy("Medical device"),
    "DeviceRequest": gettext_lazy("Prescribed medical device"),
    "Specimen": gettext_lazy("Sample"),
    "Consent": gettext_lazy("Consent"),
    "SupplyDelivery": gettext_lazy("Supplies delivered"),
}
RESULT_WORD = gettext_lazy("Test result")
MEASUREMENT_WORD = gettext_lazy("Measurement")
LIFESTYLE_WORD = gettext_lazy("Lifestyle")
OTHER_WORD = gettext_lazy("Other item")
# Social history (tobacco, alcohol, drugs): one kind whatever the source's category (a DMP
# summary files it under « social-history », Synthea under « survey »). LOINC codes.
SOCIAL_HISTORY_CATEGORY = "social-history"
LIFESTYLE_CODES = {
    "72166-2",  # tobacco smoking status
    "11367-0",  # history of tobacco use
    "74011-8",  # tobacco use and exposure
    "8663-7",  # cigarettes smoked current (packs per day)
    "8664-5",  # cigarettes smoked total (pack-years)
    "74013-4",  # alcoholic drinks per day
    "11331-6",  # history of alcohol use
    "11343-1",  # history of other nonmedical drug use
}


def kind(resource: dict) -> str:
    """What an item is, in a word (« Vaccin », « Mesure », « Résultat d'analyse »)."""
    rtype = resource.get("resourceType", "")
    if rtype == "Observation":
        if is_lifestyle(resource):
            return str(LIFESTYLE_WORD)
        if access_labels.category_of(resource) == access_labels.Category.MEASUREMENTS:
            return str(MEASUREMENT_WORD)
        return str(RESULT_WORD)
    return str(TYPE_WORDS.get(rtype, OTHER_WORD))


def is_lifestyle(resource: dict) -> bool:
    """An observation of social history (tobacco, alcohol, drugs), by its category or code."""
    return SOCIAL_HISTORY_CATEGORY in codes(resource.get("category")) or bool(
        codes(resource.get("code")) & LIFESTYLE_CODES
    )


# Kinds grouped as the home page, the emergency view and the sharing page list them.
KINDS = [
    ("results", gettext_lazy("Results and measurements"), {"Observation", "DiagnosticReport"}),
    ("conditions", gettext_lazy("Health problems"), {"Condition"}),
    (
        "treatments",
        gettext_lazy("Treatments"),
        {"MedicationRequest", "MedicationStatement", "MedicationAdministration", "Medication"},
    ),
    ("vaccines", gettext_lazy("Vaccines"), {"Immunization"}),
    ("allergies", gettext_lazy("Allergies"), {"AllergyIntolerance"}),
    ("visits", gettext_lazy("Visits and hospital stays"), {"Encounter"}),
    ("procedures", gettext_lazy("Procedures and operations"), {"Procedure"}),
    ("imaging", gettext_lazy("Medical imaging"), {"ImagingStudy"}),
    ("documents", gettext_lazy("Documents"), {"DocumentReference", "Media", "Binary"}),
    ("care_plans", gettext_lazy("Care plans and goals"), {"CarePlan", "Goal", "CareTeam"}),
    ("family", gettext_lazy("Family history"), {"FamilyMemberHistory"}),
    ("devices", gettext_lazy("Medical devices"), {"Device", "DeviceRequest", "DeviceUseStatement"}),
    (
        "billing",
        gettext_lazy("Bills and reimbursements"),
        {"Claim", "ExplanationOfBenefit", "Coverage"},
    ),
    ("supplies", gettext_lazy("Medical supplies"), {"SupplyDelivery", "SupplyRequest"}),
]
# Not listed: the person's own identity card and the technical trail of where data came from.
HIDDEN = {"Patient", "Provenance", "AuditEvent"}
OTHER = ("other", gettext_lazy("Other information"))
_GROUP_OF = {rtype: key for key, _label, types in KINDS for rtype in types}


def summarise(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """``{"Observation": 12, …}`` -> ``[("results", "Résultats et mesures", 12), …]``.

    Kinds with nothing in them are left out; unknown types fall under "Other information".
    """
    totals: dict[str, int] = {}
    for rtype, n in counts.items():
        if rtype in HIDDEN or not n:
            continue
        key = _GROUP_OF.get(rtype, OTHER[0])
        totals[key] = totals.get(key, 0) + n
    ordered = [(key, label) for key, label, _types in KINDS] + [OTHER]
    return [(key, str(label), totals[key]) for key, label in ordered if key in totals]


# --- Heart rates --------------------------------------------------------------------------------

# Heart rate, by context (LOINC): resting; a reading taken at some moment (posture or
# method given or not); during exercise (the HL7 Physical Activity guide's session maximum).
HR_RESTING = ("40443-4", "67129-7")
HR_READING = ("8867-4", "68999-2", "69000-8", "69001-6", "8889-8")
HR_EXERCISE = ("55422-0",)
# An observation made during exercise: its category, or a component naming the session.
EXERCISE_CATEGORY = "activity"
EXERCISE_COMPONENTS = {"73985-4", "55411-3"}  # exercise activity, exercise duration
HR_CODES = {*HR_RESTING, *HR_READING, *HR_EXERCISE}
HR_LABELS = {
    "rest": gettext_lazy("Resting heart rate"),
    "reading": gettext_lazy("Heart rate"),
    "effort": gettext_lazy("Heart rate during exercise"),
}


def is_heart_rate(resource: dict) -> bool:
    """A heart-rate observation (by its LOINC code: at rest, a reading, during exercise)."""
    return resource.get("resourceType") == "Observation" and bool(
        codes(resource.get("code")) & HR_CODES
    )


def heart_rate_context(resource: dict) -> str:
    """How a heart rate was taken: "rest", "effort" (during exercise) or "reading"; "" for
    an item that is not a heart rate.

    The code says it first (resting heart rate, a session's maximum); else the category
    ``activity`` or a component naming an exercise session marks a value measured during
    exercise (how Carnet's watch imports and the HL7 Physical Activity guide tag it); else
    it is a single reading.
    """
    found = codes(resource.get("code"))
    if not found & HR_CODES:
        return ""
    if found & set(HR_RESTING):
        return "rest"
    if found & set(HR_EXERCISE) or EXERCISE_CATEGORY in codes(resource.get("category")):
        return "effort"
    parts = [c for c in resource.get("component") or [] if isinstance(c, dict)]
    if any(codes(c.get("code")) & EXERCISE_COMPONENTS for c in parts):
        return "effort"
    return "reading"


# --- What more an item says ---------------------------------------------------------------------


def detail(resource: dict) -> str:
    """What a list says after an item's name: a treatment's dosage, an allergy's reactions,
    a visit's reasons, a report's conclusion, else its value (« 118/74 mmHg »)."""
    rtype = resource.get("resourceType", "")
    if rtype.startswith("Medication"):
        # Some documents give the medicine's name again as its dosage: never say it twice.
        name = str(title(resource)).casefold()
        return " ; ".join(
            text
            for d in resource.get("dosageInstruction") or resource.get("dosage") or []
            if isinstance(d, dict) and (text := str(d.get("text") or "").strip())
            if text.casefold() != name
        )
    if rtype == "AllergyIntolerance":
        reactions = [
            label(m)
            for reaction in resource.get("reaction") or []
            for m in reaction.get("manifestation") or []
        ]
        said = ", ".join(x for x in reactions if x)
        if resource.get("criticality") == "high":
            return _("serious reaction possible") + (f" — {said}" if said else "")
        return said
    if rtype == "Encounter":
        return "; ".join(x for x in map(label, resource.get("reasonCode") or []) if x)
    if rtype == "DiagnosticReport":
        return str(resource.get("conclusion") or "")
    return value(resource)


# --- Dates --------------------------------------------------------------------------------------

DAY_FORMATS = {"year": "Y", "month": "YEAR_MONTH_FORMAT", "day": "DATE_FORMAT"}


@dataclass(frozen=True)
class When:
    """When an item happened, as much of it as the source said (« 1975 », « mars 2021 »,
    « 5 mars 2021 »): a vaccine dated « 1975 » is never shown as « 1 janvier 1975 »."""

    at: date | datetime
    precision: str = "day"

    def __str__(self) -> str:
        return date_format(self.at, DAY_FORMATS.get(self.precision, "DATE_FORMAT"))

    @property
    def order(self) -> datetime:
        """To sort items: a day as its first instant, so days and moments compare."""
        if isinstance(self.at, datetime):
            return self.at.replace(tzinfo=None)
        return datetime.combine(self.at, datetime.min.time())

    @property
    def machine(self) -> str:
        """For a ``<time datetime>`` attribute: as much of the date as is known."""
        if self.precision in ("year", "month"):
            return self.at.strftime("%Y" if self.precision == "year" else "%Y-%m")
        return self.at.isoformat()


def when(resource: dict) -> When | None:
    """When an item happened (its clinical date, in local time), or None."""
    at = fhir.clinical_shown(resource)  # a date-only value stays a date: no time zone shift
    if at is None:
        return None
    return When(at, fhir.clinical_date_precision(resource))


# --- People -------------------------------------------------------------------------------------


def person_name(person, titled: bool = False) -> str:
    """A person's name as written (« Claire Garonne »; « Dr Claire Garonne » when
    ``titled``): from a resource (Patient, Practitioner, an Organization's name), a list of
    FHIR HumanNames (the official or usual one first) or one HumanName."""
    if isinstance(person, dict) and "resourceType" in person:
        person = person.get("name")
    if isinstance(person, str):
        return person
    names = [n for n in (person if isinstance(person, list) else [person]) if isinstance(n, dict)]
    names.sort(key=lambda n: n.get("use") not in ("official", "usual"))
    for name in names:
        if name.get("text"):
            return str(name["text"])
        parts = [
            *((name.get("prefix") or []) if titled else []),
            *(name.get("given") or []),
            name.get("family") or "",
        ]
        text = " ".join(str(p) for p in parts if p).strip()
        if text:
            return text
    return ""


def _phones(telecom) -> list[str]:
    return [
        t["value"]
        for t in telecom or []
        if isinstance(t, dict) and t.get("system") == "phone" and t.get("value")
    ]


# Relationship codes that say a contact is one, not who they are to the person.
CONTACT_ROLES = {"Emergency Contact", "Next-of-Kin", "C", "N"}
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


def _relation(concept: dict) -> str:
    """Who a contact is to the person (« fille »), in the page's language when it is one of
    the relations Carnet's form offers (HL7 RoleCode), else the record's own words."""
    from .forms import CONTACT_RELATIONS  # forms needs Django's form machinery: only here

    ours = dict(CONTACT_RELATIONS)
    for coding in _codings(concept):
        if coding.get("system") == ROLE_CODE and coding.get("code") in ours:
            return str(ours[coding["code"]])
    return label(concept)


def person_of(resources: list[dict]) -> dict:
    """Identity, emergency contacts and médecin traitant from the Patient resource."""
    patient = next((r for r in resources if r.get("resourceType") == "Patient"), None) or {}
    shared = {
        f"{r['resourceType']}/{r.get('id')}": r
        for r in resources
        if r.get("resourceType") in ("Practitioner", "Organization")
    }
    contacts = []
    for c in patient.get("contact") or []:
        relations = [_relation(r) for r in c.get("relationship") or []]
        contacts.append(
            {
                "name": person_name(c.get("name")),
                "relation": next((r for r in relations if r and r not in CONTACT_ROLES), ""),
                "phones": _phones(c.get("telecom")),
            }
        )
    doctors = []
    for ref in patient.get("generalPractitioner") or []:
        found = shared.get(ref.get("reference", ""))
        name = ref.get("display") or (person_name(found) if found else "")
        if name:
            doctors.append({"name": name, "phones": _phones((found or {}).get("telecom"))})
    return {
        "name": person_name(patient.get("name")),
        "birth_date": dates.whole_day(patient.get("birthDate")),
        "gender": patient.get("gender", ""),
        "contacts": contacts,
        "doctors": doctors,
    }


# --- A record in plain words --------------------------------------------------------------------

EMERGENCY_SECTIONS = [
    ("allergies", gettext_lazy("Allergies")),
    ("problems", gettext_lazy("Current health problems")),
    ("treatments", gettext_lazy("Current treatments")),
    ("blood", gettext_lazy("Blood group")),
    ("directives", gettext_lazy("Advance directives")),
]
EMERGENCY_KEYS = {
    "AllergyIntolerance": "allergies",
    "Condition": "problems",
    "MedicationRequest": "treatments",
    "MedicationStatement": "treatments",
    "Observation": "blood",
    "DocumentReference": "directives",
    "Consent": "directives",
}
OTHER_LIMIT = 20


def describe(resource: dict) -> dict:
    """One item in words: its name, what more it says, when it happened."""
    return {
        "title": title(resource),
        "detail": detail(resource),
        "date": when(resource),
        "id": f"{resource.get('resourceType')}/{resource.get('id')}",
    }


def _emergency_key(resource: dict) -> str | None:
    """Which emergency section an item of the emergency dataset belongs to."""
    if not access_labels.in_emergency_set(resource):
        return None
    return EMERGENCY_KEYS.get(resource.get("resourceType", ""))


def _newest_first(items: list[dict]) -> list[dict]:
    return sorted(
        items, key=lambda i: (i["date"] is not None, i["date"] and i["date"].order), reverse=True
    )


def readable(resources: list[dict], *, others: bool = True) -> dict:
    """A record in plain words: the person, the emergency sections, then the other kinds
    (``others=False``: the emergency dataset alone, not even a count of the rest)."""
    found: dict[str, list] = {key: [] for key, _label in EMERGENCY_SECTIONS}
    rest: dict[str, list] = {}
    for r in resources:
        rtype = r.get("resourceType", "")
        if rtype in HIDDEN or rtype in ("Practitioner", "Organization", "Location"):
            continue
        key = _emergency_key(r)
        if key is not None:
            found[key].append(describe(r))
        else:
            rest.setdefault(_GROUP_OF.get(rtype, OTHER[0]), []).append(describe(r))
    other_sections = []
    for key, heading in [(k, t) for k, t, _types in KINDS] + [OTHER]:
        if key in rest and others:
            items = _newest_first(rest[key])
            other_sections.append(
                {
                    "key": key,
                    "title": str(heading),
                    "items": items[:OTHER_LIMIT],
                    "more": max(0, len(items) - OTHER_LIMIT),
                }
            )
    return {
        "person": person_of(resources),
        "emergency": [
            {"key": key, "title": str(heading), "items": _newest_first(found[key])}
            for key, heading in EMERGENCY_SECTIONS
        ],
        "others": other_sections,
    }
