"""HL7 CDA R2 documents into FHIR R4: what French CI-SIS documents and C-CDA share.

Both families build on the same CDA R2 entries (IHE PCC / CCD templates in France, C-CDA
R2.1 templates in the US) and name their sections with the same LOINC codes, so one
reader maps both; ``cda_fr`` and ``ccda`` only add what differs (identifier systems,
which document is which).

What is mapped, by section (LOINC code of the section, nested sections included):

- allergies (48765-2): each allergy observation → AllergyIntolerance (agent from the
  participant, type and category from the observation code, status, reactions, severity);
- problems and past history (11450-4, 11348-0, 11535-2, 46241-6, 29548-5): each
  problem observation → Condition (clinical status from the status observation, the
  concern's status or an end date; onset and abatement);
- medications (10160-0, 10183-2, 42346-7, 29549-3, 57828-6): each substance
  administration → MedicationStatement, or MedicationRequest for intents (moodCode INT,
  RQO) and prescriptions, with structured dosage (period, bounds, event timing, dose and
  rate ranges, route, maximum dose, sequenced dosage lines) when the document has one;
- immunizations (11369-6, or an immunization template anywhere) → Immunization with
  every code of the product kept (CIS, CIP, ATC, CVX…), lot, route, site, performer;
- results (30954-2, and every section of a lab report) → one DiagnosticReport per
  entry with its Observations (value, unit, reference range, interpretation);
- vital signs (8716-3) → Observations (vital-signs);
- procedures (47519-4, 29554-3) → Procedure;
- medical devices (46264-8, or the FR-Dispositif-medical entry): a prescribed device →
  DeviceRequest, one handed out → SupplyDelivery, every code kept (EMDN, LPP, other French
  systems by their OID);
- observed events of a delivery (42545-4), pregnancy history (10162-6) and social
  history (29762-2) → Observations with their values;
- the author(s) and performers → Practitioner (shared, identified by RPPS or NPI),
  the custodian → Organization, the person (only for a record that has none yet) →
  Patient, and the document itself → DocumentReference. The person (recordTarget) is
  compared with the record's before anything is written (see ``records.identity``).

A code its system does not allow (a SNOMED CT id whose check digit fails) is kept as
written: the import marks the item with a warning. Everything else stays readable in the
original, which is kept (see ``importers``), and is listed in ``Conversion.left_out``.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime

from carnet.records import cda_narrative, words
from carnet.records.data import fold
from carnet.records.document_files import TEXT_EXTENSION
from carnet.records.imports import ImportRefused

from .common import (
    CONFIDENTIALITY,
    LOINC,
    UCUM,
    Conversion,
    Original,
    category,
    coding,
    local,
    number,
    quantity,
    refuse_if_too_big,
)

NS = "urn:hl7-org:v3"
PHARM = "urn:ihe:pharm"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def h(name: str) -> str:
    return f"{{{NS}}}{name}"


def hp(path: str) -> str:
    """'a/b/c' in the CDA namespace, for ElementTree's find()."""
    return "/".join(h(p) if p not in (".", "..") else p for p in path.split("/"))


RPPS_OID = "1.2.250.1.71.4.2.1"  # IDNPS: the French national practitioner identifier
NPI_OID = "2.16.840.1.113883.4.6"

OID_SYSTEMS = {
    "2.16.840.1.113883.6.1": LOINC,
    "2.16.840.1.113883.6.96": "http://snomed.info/sct",
    "2.16.840.1.113883.6.3": "http://hl7.org/fhir/sid/icd-10",
    "2.16.840.1.113883.6.90": "http://hl7.org/fhir/sid/icd-10-cm",
    "2.16.840.1.113883.6.103": "http://hl7.org/fhir/sid/icd-9-cm",
    "2.16.840.1.113883.6.73": "http://www.whocc.no/atc",
    "2.16.840.1.113883.6.88": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "2.16.840.1.113883.12.292": "http://hl7.org/fhir/sid/cvx",
    "2.16.840.1.113883.6.59": "http://hl7.org/fhir/sid/cvx",
    "2.16.840.1.113883.6.69": "http://hl7.org/fhir/sid/ndc",
    "2.16.840.1.113883.6.12": "http://www.ama-assn.org/go/cpt",
    "2.16.840.1.113883.6.8": UCUM,
    "2.16.840.1.113883.4.9": "http://fdasis.nlm.nih.gov",
    "2.16.840.1.113883.3.26.1.1": "http://ncimeta.nci.nih.gov",
    "2.16.840.1.113883.5.83": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
    "2.16.840.1.113883.5.4": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "2.16.840.1.113883.5.25": CONFIDENTIALITY,
    "2.16.840.1.113883.5.1": "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender",
    "2.16.840.1.113883.5.111": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
    "2.16.840.1.113883.5.1070": "http://terminology.hl7.org/CodeSystem/v3-substanceAdminSubstitution",
    "0.4.0.127.0.16.1.1.2.1": "http://standardterms.edqm.eu",
}
OID_RE = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TS_RE = re.compile(
    r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?(?:(Z)|([+-])(\d{2})(\d{2}))?"
)

SECTION_ALLERGIES = {"48765-2"}
SECTION_PROBLEMS = {"11450-4", "11348-0", "11535-2", "46241-6", "29548-5", "10154-3"}
SECTION_PAST = {"11348-0"}
SECTION_MEDICATIONS = {"10160-0", "10183-2", "42346-7", "29549-3", "57828-6", "18610-6"}
SECTION_PRESCRIPTIONS = {"57828-6"}
SECTION_IMMUNIZATIONS = {"11369-6"}
SECTION_RESULTS = {"30954-2"}
SECTION_VITALS = {"8716-3"}
SECTION_PROCEDURES = {"47519-4", "29554-3"}
SECTION_DIRECTIVES = {"42348-3"}  # advance directives
SECTION_DEVICES = {"46264-8"}  # medical devices (prescribed in a French ePrescription)
DEVICE_TEMPLATES = {"1.2.250.1.213.1.1.3.20"}  # FR-Dispositif-medical
# Sections of plain observations: observed events (obstetrics), pregnancy history, social history.
SECTION_OBSERVATIONS = {
    "42545-4": ("exam", "Exam"),
    "10162-6": ("exam", "Exam"),
    "29762-2": ("social-history", "Social History"),
}
SECTION_COPIES = {"55108-5", "55107-7"}  # a copy of the document (PDF), attached documents
SECTION_SKIP = SECTION_COPIES | {"57723-9"}  # … and the 2D code of a prescription
LAB_DOCUMENTS = {"11502-2", "96173-0"}
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
# The words the document gives with a directive (its comment), or a section's own text
# when the directives are written there only: kept as the source wrote them.
SOURCE_TEXT = "https://carnet.example/fhir/StructureDefinition/source-text"
DIRECTIVES_LAW = "Directives anticipées (code de la santé publique, art. L1111-11)"  # lab report, rapid diagnostic test

IMMUNIZATION_TEMPLATES = {
    "1.3.6.1.4.1.19376.1.5.3.1.4.12",
    "2.16.840.1.113883.10.20.22.4.52",
    "1.2.250.1.213.1.1.3.45",
}
ALLERGY_TEMPLATES = {
    "2.16.840.1.113883.10.20.22.4.7",
    "1.3.6.1.4.1.19376.1.5.3.1.4.6",
    "2.16.840.1.113883.10.20.1.18",
}
STATUS_TEMPLATES = {
    "2.16.840.1.113883.10.20.1.50",
    "2.16.840.1.113883.10.20.1.57",
    "2.16.840.1.113883.10.20.22.4.6",
    "2.16.840.1.113883.10.20.22.4.28",
    "1.3.6.1.4.1.19376.1.5.3.1.4.1.1",
    "1.3.6.1.4.1.19376.1.5.3.1.4.1.2",
}
CLINICAL = {
    "act",
    "observation",
    "substanceAdministration",
    "supply",
    "procedure",
    "encounter",
    "organizer",
    "observationMedia",
}
PERIOD_UNITS = {"s": "s", "min": "min", "h": "h", "d": "d", "wk": "wk", "mo": "mo", "a": "a"}
EVENT_TIMING = {
    "HS", "WAKE", "C", "CM", "CD", "CV", "AC", "ACM", "ACD", "ACV", "PC", "PCM", "PCD", "PCV",
}  # fmt: skip
EMBEDDABLE = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "text/plain": b"",
}
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
# Allergy observation codes (SNOMED CT, C-CDA and CI-SIS value sets) → (type, category).
ALLERGY_KIND = {
    "419511003": ("allergy", "medication"),  # propensity to adverse reaction to drug
    "416098002": ("allergy", "medication"),  # drug allergy
    "59037007": ("intolerance", "medication"),  # drug intolerance
    "414285001": ("allergy", "food"),  # food allergy
    "418471000": ("allergy", "food"),  # propensity to adverse reaction to food
    "235719002": ("intolerance", "food"),  # food intolerance
    "419199007": ("allergy", None),  # allergy to substance
    "420134006": (None, None),  # propensity to adverse reactions
    "418038007": (None, "environment"),  # propensity to adverse reactions to substance
    "426232007": ("allergy", "environment"),  # environmental allergy
    "232347008": ("allergy", "environment"),  # dander allergy
    "300910009": ("allergy", "biologic"),  # allergy to insect venom
}
STATUS_CODES = {
    "55561003": "active",
    "73425007": "inactive",
    "413322009": "resolved",
    "active": "active",
    "inactive": "inactive",
    "resolved": "resolved",
    "remission": "remission",
    "relapse": "relapse",
    "recurrence": "recurrence",
}
SEVERITY = {"255604002": "mild", "6736007": "moderate", "24484000": "severe"}


def system_of(oid: str | None) -> str | None:
    if not oid:
        return None
    oid = oid.strip()
    if oid in OID_SYSTEMS:
        return OID_SYSTEMS[oid]
    if OID_RE.fullmatch(oid):
        return f"urn:oid:{oid}"
    if UUID_RE.fullmatch(oid):
        return f"urn:uuid:{oid.lower()}"
    return None


def _ts_parts(value: str | None):
    if not value:
        return None
    m = TS_RE.fullmatch(value.strip())
    if not m:
        return None
    y, mo, d, hh, mi, ss, z, sign, tzh, tzm = m.groups()
    try:
        datetime(int(y), int(mo or 1), int(d or 1), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError:
        return None
    tz = "+00:00" if z else (f"{sign}{tzh}:{tzm}" if sign else None)
    return y, mo, d, hh, mi, ss, tz


def fhir_datetime(value: str | None) -> str | None:
    """A CDA TS as a FHIR dateTime, keeping its precision (a time needs its zone)."""
    parts = _ts_parts(value)
    if parts is None:
        return None
    y, mo, d, hh, mi, ss, tz = parts
    if hh and d and tz:
        return f"{y}-{mo}-{d}T{hh}:{mi or '00'}:{ss or '00'}{tz}"
    if d:
        return f"{y}-{mo}-{d}"
    if mo:
        return f"{y}-{mo}"
    return y


def fhir_instant(value: str | None) -> str | None:
    """A CDA TS as a FHIR instant: only when it has a time and a zone."""
    when = fhir_datetime(value)
    return when if when and "T" in when else None


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _note_words(text) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(str(text or "")))


def _abbreviates(short: str, word: str) -> bool:
    """« nb » for « nombre »: same first letter, the letters in order."""
    if not short or not word or short[0] != word[0]:
        return False
    rest = iter(word)
    return all(ch in rest for ch in short)


def drop_echo_notes(res: dict) -> None:
    """Take out a note that only repeats the item's name or value (« CRP » on the C-reactive
    protein result, « 55 kg » on a weight of 55 kg: a CDA entry's text pointing at its own
    line of the narrative). It tells the reader nothing the item does not say already."""
    notes = res.get("note")
    if not notes:
        return
    names: list[list[str]] = []
    for name in ("code", "vaccineCode", "medicationCodeableConcept", "valueCodeableConcept"):
        concept = res.get(name)
        if isinstance(concept, dict):
            names.append(_note_words(concept.get("text")))
            names += [_note_words(c.get("display")) for c in concept.get("coding") or []]
    q = res.get("valueQuantity")
    if isinstance(q, dict):
        names.append(_note_words(f"{q.get('value')} {q.get('unit')} {q.get('code')}"))
        names.append(_note_words(str(q.get("value")).replace(".", ",")))

    def echoes(text) -> bool:
        words = _note_words(text)
        if not words:
            return True
        for name in names:
            if not name:
                continue
            if "".join(words) == "".join(w[0] for w in name)[: len("".join(words))] and (
                len(words) == 1 and len(words[0]) >= 2
            ):
                return True  # initials: « CRP » for « C réactive protéine »
            if all(any(_abbreviates(w, n) for n in name) for w in words):
                return True
        return False

    kept = [n for n in notes if not echoes(n.get("text"))]
    if kept:
        res["note"] = kept
    else:
        del res["note"]


class Reader:
    """One parsed CDA document and what has been made of it so far."""

    def __init__(self, root, kind: str):
        if local(root.tag) != "ClinicalDocument" or not root.tag.startswith(f"{{{NS}}}"):
            raise ImportRefused(
                "the file is XML but not an HL7 CDA clinical document", reason="unreadable"
            )
        self.root = root
        self.kind = kind
        self.conv = Conversion(kind=kind)
        self.narrative: dict[str, str] = {}
        for el in root.iter():
            ident = el.get("ID")
            if ident and ident not in self.narrative:
                self.narrative[ident] = clean("".join(el.itertext()))
        self.practitioners: dict[str, str] = {}
        self.doc_code = ""
        self.doc_date = fhir_datetime(self.attr("effectiveTime", "value"))
        self.security: list[dict] = []
        self.author_ref: str | None = None
        self.skipped: dict[str, int] = {}
        self.left_out: dict[tuple[str, str], int] = {}  # (section title, what) -> count
        self.later: list[Original] = []  # files kept after the document's own copies

    # --- small readers ---------------------------------------------------------------------

    def attr(self, path: str, name: str, el=None) -> str | None:
        found = (self.root if el is None else el).find(hp(path))
        return found.get(name) if found is not None else None

    def ref_text(self, el) -> str:
        """Text of a <text> or <originalText>: the narrative it points to, or its own."""
        if el is None:
            return ""
        ref = el.find(h("reference"))
        if ref is not None:
            target = (ref.get("value") or "").lstrip("#")
            if target and target in self.narrative:
                return self.narrative[target]
        own = clean("".join(t for t in el.itertext()))
        return own

    def coding_of(self, el) -> dict | None:
        if el is None or el.get("nullFlavor"):
            return None
        system = system_of(el.get("codeSystem"))
        code = clean(el.get("code"))
        # A code its system does not allow (a SNOMED CT id with a wrong check digit) is
        # kept as written: the import marks the item with a warning.
        return coding(system, code, el.get("displayName"))

    def concept(self, el, extra: list | None = None) -> dict | None:
        if el is None:
            return None
        codings = []
        for c in (
            [self.coding_of(el)]
            + [self.coding_of(t) for t in el.findall(h("translation"))]
            + (extra or [])
        ):
            if c and c not in codings:
                codings.append(c)
        text = self.ref_text(el.find(h("originalText"))) or clean(el.get("displayName"))
        concept = {}
        if codings:
            concept["coding"] = codings
        if text:
            concept["text"] = text[:1000]
        return concept or None

    def identifiers(self, el) -> list[dict]:
        out = []
        for ident in el.findall(h("id")):
            root, ext = ident.get("root"), clean(ident.get("extension"))
            if not root or ident.get("nullFlavor"):
                continue
            if ext:
                system = system_of(root)
                if system:
                    out.append({"system": system, "value": ext[:200]})
            elif OID_RE.fullmatch(root):
                out.append({"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{root}"})
            elif UUID_RE.fullmatch(root):
                out.append({"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{root.lower()}"})
        return out

    def times(self, el) -> tuple[str | None, str | None, str | None]:
        """(point, start, end) of an effectiveTime-like element."""
        if el is None:
            return None, None, None
        point = fhir_datetime(el.get("value"))
        low = el.find(h("low"))
        high = el.find(h("high"))
        start = fhir_datetime(low.get("value")) if low is not None else None
        end = fhir_datetime(high.get("value")) if high is not None else None
        center = el.find(h("center"))
        if point is None and center is not None:
            point = fhir_datetime(center.get("value"))
        return point, start, end

    def effective(self, stmt) -> dict:
        """effective[x] of a statement: a dateTime, or a period."""
        for et in stmt.findall(h("effectiveTime")):
            point, start, end = self.times(et)
            if point:
                return {"dateTime": point}
            if start or end:
                period = {}
                if start:
                    period["start"] = start
                if end:
                    period["end"] = end
                if start and end and start == end:
                    return {"dateTime": start}
                return {"Period": period}
        return {}

    def value_x(self, el) -> tuple[str, object] | None:
        if el is None or el.get("nullFlavor"):
            return None
        xtype = (el.get(XSI_TYPE) or "").split(":")[-1]
        if xtype in ("PQ", "") and el.get("value") is not None:
            q = quantity(
                el.get("value"), el.get("unit") if el.get("unit") not in (None, "1") else None
            )
            return ("valueQuantity", q) if q else None
        if xtype in ("CD", "CE", "CV", "CO", "CS"):
            c = self.concept(el)
            return ("valueCodeableConcept", c) if c else None
        if xtype in ("INT",):
            try:
                return "valueInteger", int(el.get("value"))
            except (TypeError, ValueError):
                return None
        if xtype in ("REAL", "MO"):
            q = quantity(el.get("value"), el.get("currency"))
            return ("valueQuantity", q) if q else None
        if xtype == "BL":
            v = el.get("value")
            return ("valueBoolean", v == "true") if v in ("true", "false") else None
        if xtype in ("ST", "ED", "SC"):
            text = clean("".join(el.itertext())) or self.ref_text(el)
            return ("valueString", text[:10000]) if text else None
        if xtype == "TS":
            dt = fhir_datetime(el.get("value"))
            return ("valueDateTime", dt) if dt else None
        if xtype == "IVL_PQ":
            rng = {}
            for side in ("low", "high"):
                b = el.find(h(side))
                if b is not None:
                    q = quantity(
                        b.get("value"), b.get("unit") if b.get("unit") not in (None, "1") else None
                    )
                    if q:
                        rng[side] = q
            return ("valueRange", rng) if rng else None
        return None

    def templates(self, el) -> set[str]:
        return {t.get("root") for t in el.findall(h("templateId")) if t.get("root")}

    # --- people ----------------------------------------------------------------------------

    def human_name(self, el) -> dict | None:
        if el is None:
            return None
        name = {}
        families = el.findall(h("family"))
        family = next((f for f in families if f.get("qualifier") == "CL"), None) or (
            families[0] if families else None
        )
        if family is not None and clean(family.text):
            name["family"] = clean(family.text)
        givens = el.findall(h("given"))
        chosen = (
            [g for g in givens if g.get("qualifier") == "CL"]
            or [g for g in givens if not g.get("qualifier")]
            or givens[:1]
        )
        given = [clean(g.text) for g in chosen if clean(g.text)]
        if given:
            name["given"] = given
        for part, key in (("prefix", "prefix"), ("suffix", "suffix")):
            vals = [clean(p.text) for p in el.findall(h(part)) if clean(p.text)]
            if vals:
                name[key] = vals
        if not name and clean(el.text):
            name["text"] = clean(el.text)
        return name or None

    def telecoms(self, el) -> list[dict]:
        out = []
        for t in el.findall(h("telecom")):
            value = t.get("value") or ""
            scheme, _, rest = value.partition(":")
            system = {
                "tel": "phone",
                "fax": "fax",
                "mailto": "email",
                "http": "url",
                "https": "url",
            }.get(scheme)
            rest = value if system == "url" else rest
            if system and rest.strip():
                out.append({"system": system, "value": rest.strip()[:200]})
        return out

    def address(self, el) -> list[dict]:
        out = []
        for a in el.findall(h("addr")):
            addr = {}
            lines = [
                clean(
                    " ".join(
                        clean(x.text)
                        for x in a
                        if local(x.tag)
                        in ("houseNumber", "streetName", "streetAddressLine", "unitID")
                        and clean(x.text)
                    )
                )
            ]
            if lines[0]:
                addr["line"] = lines
            for part, key in (
                ("city", "city"),
                ("postalCode", "postalCode"),
                ("state", "state"),
                ("country", "country"),
            ):
                v = a.find(h(part))
                if v is not None and clean(v.text):
                    addr[key] = clean(v.text)
            if addr:
                out.append(addr)
        return out

    def practitioner(self, assigned) -> str | None:
        """A shared Practitioner for an assignedAuthor/assignedEntity; None for a device."""
        if assigned is None:
            return None
        person = assigned.find(h("assignedPerson"))
        if person is None:
            return None
        idents = []
        for ident in assigned.findall(h("id")):
            root, ext = ident.get("root"), clean(ident.get("extension"))
            if not root or not ext:
                continue
            if root == RPPS_OID:
                idents.insert(0, {"system": f"urn:oid:{RPPS_OID}", "value": ext})
            elif root == NPI_OID:
                idents.insert(0, {"system": "http://hl7.org/fhir/sid/us-npi", "value": ext})
            elif system_of(root):
                idents.append({"system": system_of(root), "value": ext})
        name = self.human_name(person.find(h("name")))
        key = f"{idents[0]['system']}|{idents[0]['value']}" if idents else repr(name)
        if key in self.practitioners:
            return self.practitioners[key]
        if not idents and not name:
            return None
        res = {"resourceType": "Practitioner"}
        if idents:
            res["identifier"] = idents
        if name:
            res["name"] = [name]
        telecom = self.telecoms(assigned)
        if telecom:
            res["telecom"] = telecom
        addr = self.address(assigned)
        if addr:
            res["address"] = addr
        qual = self.concept(assigned.find(h("code")))
        if qual:
            res["qualification"] = [{"code": qual}]
        url = self.conv.add(res)
        self.practitioners[key] = url
        return url

    def organization(self, el) -> str | None:
        if el is None:
            return None
        res = {"resourceType": "Organization"}
        idents = [i for i in self.identifiers(el) if i["system"] != "urn:ietf:rfc:3986"]
        if idents:
            res["identifier"] = idents
        name = clean(el.findtext(h("name")))
        if name:
            res["name"] = name
        if len(res) == 1:
            return None
        return self.conv.add(res)

    def patient(self) -> dict | None:
        """The person as the document names them (used only when the record has no Patient)."""
        pr = self.root.find(hp("recordTarget/patientRole"))
        if pr is None:
            return None
        p = pr.find(h("patient"))
        res = {"resourceType": "Patient"}
        if p is not None:
            name = self.human_name(p.find(h("name")))
            if name:
                res["name"] = [name]
            g = p.find(h("administrativeGenderCode"))
            if g is not None:
                res["gender"] = {"M": "male", "F": "female"}.get(g.get("code") or "", "unknown")
            bt = fhir_datetime(self.attr("birthTime", "value", p))
            if bt:
                res["birthDate"] = bt[:10]
        return res

    # --- the document ----------------------------------------------------------------------

    def read(self) -> Conversion:
        root = self.root
        code_el = root.find(h("code"))
        self.doc_code = (code_el.get("code") or "") if code_el is not None else ""
        conf = root.find(h("confidentialityCode"))
        if conf is not None and conf.get("code") in ("R", "V"):
            self.security = [coding(CONFIDENTIALITY, conf.get("code"))]
        authors = []
        for author in root.findall(h("author")):
            ref = self.practitioner(author.find(h("assignedAuthor")))
            if ref and ref not in authors:
                authors.append(ref)
        self.author_ref = authors[0] if authors else None
        custodian = self.organization(
            root.find(hp("custodian/assignedCustodian/representedCustodianOrganization"))
        )
        title = clean(root.findtext(h("title"))) or "CDA document"
        doc = {
            "resourceType": "DocumentReference",
            "status": "current",
            "description": title[:500],
        }
        master = self.identifiers(root)
        if master:
            doc["masterIdentifier"] = master[0]
        doc_type = self.concept(code_el)
        if doc_type:
            doc["type"] = doc_type
        doc["category"] = [{"text": "Clinical document (HL7 CDA)"}]
        instant = fhir_instant(self.attr("effectiveTime", "value"))
        if instant:
            doc["date"] = instant
        if self.doc_date:
            doc["context"] = {"period": {"start": self.doc_date}}
        if authors:
            doc["author"] = [{"reference": r} for r in authors]
        if custodian:
            doc["custodian"] = {"reference": custodian}
        if self.security:
            doc["securityLabel"] = [{"coding": self.security}]
        words = cda_narrative.plain_text(root)
        if words:  # the narrative's words, for search and the list's excerpt
            doc["extension"] = [{"url": TEXT_EXTENSION, "valueString": words}]
        self.conv.set_document(doc)
        self.conv.originals.append(Original(b"", "text/xml", title))  # the CDA itself

        body = root.find(hp("component/nonXMLBody"))
        if body is not None:
            self.embedded(body.find(h("text")), title)
        structured = root.find(hp("component/structuredBody"))
        if structured is not None:
            for section in structured.findall(hp("component/section")):
                self.section(section, ())
        self.conv.originals.extend(self.later)
        for _u, res in self.conv.resources:
            drop_echo_notes(res)
        if self.security:
            for _u, res in self.conv.resources:
                res.setdefault("meta", {})["security"] = list(self.security)
        if self.skipped:
            self.conv.notes.append(
                "left in the original document only: "
                + ", ".join(f"{n} × {k}" for k, n in sorted(self.skipped.items()))
            )
        self.conv.left_out = [
            {"section": section, "what": what, "count": n}
            for (section, what), n in self.left_out.items()
        ]
        return self.conv

    def leave(self, section: str, what: str, note: str | None = None) -> None:
        """Something of ``section`` that stays readable in the original document only."""
        key = (section[:200], what)
        self.left_out[key] = self.left_out.get(key, 0) + 1
        if note:
            self.skipped[note] = self.skipped.get(note, 0) + 1

    def embedded(self, el, title: str, *, strict: bool = True) -> None:
        """A file inside the CDA (level-1 body, or a copy of the document): kept as is.

        A level-1 body that is not what it says refuses the document (``strict``); a
        broken attached copy is only left out.
        """
        if el is None or (el.get("representation") or "").upper() != "B64":
            return
        media = (el.get("mediaType") or "").lower()
        magic = EMBEDDABLE.get(media)
        if magic is None:
            self.leave(title, "file", f"embedded file of type {media or 'unknown'}")
            return
        raw = "".join((el.text or "").split())
        refuse_if_too_big(len(raw) * 3 // 4, "the file embedded in the document")
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            if not strict:
                self.leave(title, "file", f"attached {media} file that is not valid base64")
                return
            raise ImportRefused(
                f"the {media} file inside the document is not valid base64", reason="unreadable"
            ) from None
        if magic and not content.startswith(magic):
            if not strict:
                self.leave(title, "file", f"attached file that is not the {media} it claims")
                return
            raise ImportRefused(
                f"the file inside the document is declared {media} but is not one",
                reason="unreadable",
            )
        if content:
            self.conv.originals.append(Original(content, media, title))

    # --- sections and entries --------------------------------------------------------------

    def section(self, section, parents: tuple[str, ...]) -> None:
        code = self.attr("code", "code", section) or ""
        codes = (code, *parents)
        if code in SECTION_SKIP:
            if code in SECTION_COPIES:
                title = clean(section.findtext(h("title"))) or "copy"
                for media in section.iter(h("observationMedia")):
                    self.embedded(media.find(h("value")), title, strict=False)
            return
        title = clean(section.findtext(h("title"))) or code or "?"
        if code in SECTION_DIRECTIVES:
            self.directives(section, title)
            return
        entries = section.findall(h("entry"))
        subsections = section.findall(hp("component/section"))
        for entry in entries:
            stmt = next((c for c in entry if local(c.tag) in CLINICAL), None)
            if stmt is None:
                continue
            before = len(self.conv.resources)
            self.entry(stmt, code, codes)
            if len(self.conv.resources) == before:
                self.leave(title, "entry", f"{local(stmt.tag)} in section {code or '?'}")
        if (
            not entries
            and not subsections
            and clean(
                "".join(section.find(h("text")).itertext())
                if section.find(h("text")) is not None
                else ""
            )
        ):
            self.leave(title, "text")  # a section of text only: read in the original
        for sub in subsections:
            self.section(sub, codes)

    def entry(self, stmt, code: str, codes: tuple[str, ...]) -> None:
        tag = local(stmt.tag)
        templates = self.templates(stmt)
        if tag == "substanceAdministration":
            if code in SECTION_IMMUNIZATIONS or templates & IMMUNIZATION_TEMPLATES:
                self.immunization(stmt)
            elif code in SECTION_MEDICATIONS or set(codes) & SECTION_MEDICATIONS:
                self.medication(stmt, prescription=bool(set(codes) & SECTION_PRESCRIPTIONS))
            return
        if code in SECTION_ALLERGIES:
            for obs in self.subject_observations(stmt):
                self.allergy(obs, stmt)
            return
        if code in SECTION_PROBLEMS:
            for obs in self.subject_observations(stmt):
                if self.templates(obs) & ALLERGY_TEMPLATES:
                    self.allergy(obs, stmt)
                else:
                    self.condition(obs, stmt, past=code in SECTION_PAST)
            return
        if code in SECTION_VITALS:
            for obs in self.result_observations(stmt):
                self.observation(obs, "vital-signs", "Vital Signs")
            return
        if code in SECTION_RESULTS or (
            self.doc_code in LAB_DOCUMENTS and tag in ("act", "organizer", "observation")
        ):
            self.report(stmt, code)
            return
        if tag == "supply" and (code in SECTION_DEVICES or templates & DEVICE_TEMPLATES):
            self.device_request(stmt)
            return
        if tag == "procedure" and code in SECTION_PROCEDURES:
            self.procedure(stmt)
        elif code in SECTION_OBSERVATIONS and tag in ("observation", "organizer", "act"):
            for obs in self.result_observations(stmt):
                self.observation(obs, *SECTION_OBSERVATIONS[code])

    # --- advance directives ----------------------------------------------------------------

    def directives(self, section, title: str) -> None:
        """Advance directives → Consent (scope « adr »), each pointing at the document.

        A coded directive (« réanimation cardiaque et respiratoire », authorised or not) gives
        its concept and a permit or deny provision; one made of an attached file (a scanned
        PDF) points at the document, which keeps the file. A section of text only gives one
        Consent with that text, so that the summary and the emergency card say directives
        exist and where to read them."""
        found = 0
        for entry in section.findall(h("entry")):
            obs = entry.find(h("observation"))
            if obs is not None and self.directive(obs, title):
                found += 1
            elif len(entry):
                self.leave(title, "entry", "entry in section 42348-3")
        text_el = section.find(h("text"))
        text = clean("".join(text_el.itertext())) if text_el is not None else ""
        if not found and text:
            res = self.directive_base(None, [])
            res["extension"] = [{"url": SOURCE_TEXT, "valueString": text[:5000]}]
            self.conv.add(res)

    def directive_base(self, obs, concepts: list[dict]) -> dict:
        res = self.base("Consent", obs) if obs is not None else {"resourceType": "Consent"}
        res["status"] = "active"
        res["scope"] = {"coding": [{"system": CONSENT_SCOPE, "code": "adr"}]}
        res["category"] = [{"coding": [{"system": LOINC, "code": "42348-3"}]}, *concepts]
        res["policyRule"] = {"text": DIRECTIVES_LAW}
        if self.doc_date and obs is None:
            res["dateTime"] = self.doc_date
        res["sourceReference"] = {"reference": self.conv.document_url}
        return res

    def directive(self, obs, title: str) -> bool:
        code = obs.find(h("code"))
        media = obs.find(hp("entryRelationship/observationMedia"))
        concept = self.concept(code) if code is not None else None
        if media is None:
            label = self.ref_text(obs.find(h("text")))
            if concept is not None and label:
                concept["text"] = label[:1000]
        is_general = concept is not None and any(
            c.get("code") == "42348-3" for c in concept.get("coding") or []
        )
        res = self.directive_base(obs, [concept] if concept and not is_general else [])
        eff = self.effective(obs)
        when = eff.get("dateTime") or eff.get("Period", {}).get("start")
        if when:
            res["dateTime"] = when
        value = obs.find(h("value"))
        if value is not None and (value.get(XSI_TYPE) or "").split(":")[-1] == "BL":
            allowed = {"true": "permit", "false": "deny"}.get(value.get("value") or "")
            if allowed:
                res["provision"] = {"type": allowed}
                if concept and not is_general:
                    res["provision"]["code"] = [concept]
        comments = [
            self.ref_text(act.find(h("text")))
            for act in obs.findall(hp("entryRelationship/act"))
            if self.attr("code", "code", act) == "48767-8"
        ]
        comment = " ".join(c for c in comments if c)
        if comment:
            res["extension"] = [{"url": SOURCE_TEXT, "valueString": comment[:5000]}]
        if media is not None:
            # The file stays in the document (after its other attachments: a copy of the
            # document itself comes first, for its preview).
            before = len(self.conv.originals)
            self.embedded(media.find(h("value")), title, strict=False)
            self.later.extend(self.conv.originals[before:])
            del self.conv.originals[before:]
        elif "provision" not in res and concept is None:
            return False
        self.conv.add(res)
        return True

    def subject_observations(self, stmt) -> list:
        if local(stmt.tag) == "observation":
            return [stmt]
        return [
            obs
            for er in stmt.findall(h("entryRelationship"))
            for obs in er.findall(h("observation"))
        ]

    def result_observations(self, stmt) -> list:
        """Observations with a value under an entry (organizer components, act relationships)."""
        out = []
        if local(stmt.tag) == "observation":
            if stmt.find(h("value")) is not None:
                out.append(stmt)
            return out
        for rel in list(stmt.findall(h("component"))) + list(stmt.findall(h("entryRelationship"))):
            for child in rel:
                if local(child.tag) in ("observation", "organizer", "act"):
                    out.extend(self.result_observations(child))
        return out

    def status_of(self, obs) -> str | None:
        for er in obs.findall(h("entryRelationship")):
            for so in er.findall(h("observation")):
                if (
                    self.templates(so) & STATUS_TEMPLATES
                    or self.attr("code", "code", so) == "33999-4"
                ):
                    v = so.find(h("value"))
                    if v is not None:
                        return STATUS_CODES.get(v.get("code") or "")
        return None

    def base(self, rtype: str, stmt) -> dict:
        res = {"resourceType": rtype}
        idents = self.identifiers(stmt)
        if idents:
            res["identifier"] = idents[:5]
        return res

    def note(self, stmt) -> list[dict]:
        text = self.ref_text(stmt.find(h("text")))
        return [{"text": text[:5000]}] if text else []

    # --- allergies -------------------------------------------------------------------------

    def allergy(self, obs, concern) -> None:
        agent = obs.find(hp("participant/participantRole/playingEntity"))
        code = None
        if agent is not None:
            code = self.concept(agent.find(h("code")))
            if code is None and clean(agent.findtext(h("name"))):
                code = {"text": clean(agent.findtext(h("name")))}
        value = self.concept(obs.find(h("value")))
        if code is None:
            code = value
        kind_code = self.attr("value", "code", obs) or ""
        type_, cat = ALLERGY_KIND.get(
            self.attr("code", "code", obs) or "", ALLERGY_KIND.get(kind_code, (None, None))
        )
        res = self.base("AllergyIntolerance", obs)
        status = self.status_of(obs)
        if status is None:
            concern_status = (
                self.attr("statusCode", "code", concern) if concern is not obs else None
            )
            status = "resolved" if concern_status == "completed" else "active"
        status = status if status in ("active", "inactive", "resolved") else "active"
        res["clinicalStatus"] = {"coding": [coding(ALLERGY_CLINICAL, status)]}
        verification = "refuted" if obs.get("negationInd") == "true" else "confirmed"
        res["verificationStatus"] = {
            "coding": [
                coding(
                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                    verification,
                )
            ]
        }
        if type_:
            res["type"] = type_
        if cat:
            res["category"] = [cat]
        if code is None:
            code = self.concept(obs.find(h("code")))
        if code is None:
            return
        res["code"] = code
        _point, start, _end = self.times(obs.find(h("effectiveTime")))
        onset = _point or start
        if onset:
            res["onsetDateTime"] = onset
        reactions = []
        severity = None
        for er in obs.findall(h("entryRelationship")):
            for ro in er.findall(h("observation")):
                rcode = self.attr("code", "code", ro)
                tmpl = self.templates(ro)
                if er.get("typeCode") == "MFST" or "2.16.840.1.113883.10.20.22.4.9" in tmpl:
                    m = self.concept(ro.find(h("value")))
                    if m:
                        reaction = {"manifestation": [m]}
                        for sub in ro.findall(hp("entryRelationship/observation")):
                            sv = self.attr("value", "code", sub)
                            if sv in SEVERITY:
                                reaction["severity"] = SEVERITY[sv]
                        reactions.append(reaction)
                elif rcode == "SEV" or "2.16.840.1.113883.10.20.22.4.8" in tmpl:
                    severity = SEVERITY.get(self.attr("value", "code", ro) or "")
        if severity:
            res["criticality"] = "high" if severity == "severe" else "low"
            for r in reactions:
                r.setdefault("severity", severity)
        if reactions:
            res["reaction"] = reactions
        if self.doc_date:
            res["recordedDate"] = self.doc_date
        if self.author_ref:
            res["recorder"] = {"reference": self.author_ref}
        self.conv.add(res)

    # --- problems --------------------------------------------------------------------------

    def condition(self, obs, concern, *, past: bool) -> None:
        value_el = obs.find(h("value"))
        code = self.concept(value_el)
        if code is None:
            text = self.ref_text(obs.find(h("text")))
            code = {"text": text} if text else None
        if code is None:
            return
        res = self.base("Condition", obs)
        _point, start, end = self.times(obs.find(h("effectiveTime")))
        start = start or _point
        status = self.status_of(obs)
        if status is None:
            concern_status = (
                self.attr("statusCode", "code", concern) if concern is not obs else None
            )
            if end or past:
                status = "resolved"
            elif concern_status in ("completed", "aborted"):
                status = "resolved"
            elif concern_status == "suspended":
                status = "inactive"
            else:
                status = "active"
        if end and status not in ("inactive", "resolved", "remission"):
            status = "resolved"
        res["clinicalStatus"] = {"coding": [coding(CONDITION_CLINICAL, status)]}
        verification = "refuted" if obs.get("negationInd") == "true" else "confirmed"
        res["verificationStatus"] = {
            "coding": [
                coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification)
            ]
        }
        res["category"] = [
            {
                "coding": [
                    coding(
                        "http://terminology.hl7.org/CodeSystem/condition-category",
                        "problem-list-item",
                        "Problem List Item",
                    )
                ]
            }
        ]
        res["code"] = code
        if start:
            res["onsetDateTime"] = start
        if end:
            res["abatementDateTime"] = end
        if self.doc_date:
            res["recordedDate"] = self.doc_date
        if self.author_ref:
            res["recorder"] = {"reference": self.author_ref}
        notes = self.note(obs)
        if notes and notes[0]["text"] != code.get("text"):
            res["note"] = notes
        self.conv.add(res)

    # --- medications -----------------------------------------------------------------------

    def medication_code(self, sa) -> dict | None:
        mm = sa.find(hp("consumable/manufacturedProduct/manufacturedMaterial"))
        if mm is None:
            return None
        extra = []
        for gen in mm.iter(f"{{{PHARM}}}generalizedMedicineClass"):
            code = gen.find(f"{{{PHARM}}}code")
            if code is not None:
                extra.append(self.coding_of(code))
        concept = self.concept(mm.find(h("code")), extra)
        name = clean(mm.findtext(h("name")))
        if concept is None and name:
            concept = {"text": name}
        elif concept is not None and name and "text" not in concept:
            concept["text"] = name
        return concept

    def timing(self, et, repeat: dict) -> None:
        xtype = (et.get(XSI_TYPE) or "").split(":")[-1]
        if xtype == "SXPR_TS":
            for comp in et.findall(h("comp")):
                self.timing(comp, repeat)
        elif xtype == "PIVL_TS":
            period = et.find(h("period"))
            if (
                period is not None
                and number(period.get("value"))
                and period.get("unit") in PERIOD_UNITS
            ):
                repeat["frequency"] = 1
                repeat["period"] = number(period.get("value"))
                repeat["periodUnit"] = PERIOD_UNITS[period.get("unit")]
        elif xtype == "EIVL_TS":
            event = et.find(h("event"))
            if event is not None and event.get("code") in EVENT_TIMING:
                repeat.setdefault("when", []).append(event.get("code"))
        elif xtype == "IVL_TS" or et.find(h("low")) is not None or et.find(h("width")) is not None:
            _p, start, end = self.times(et)
            width = et.find(h("width"))
            if start or end:
                bounds = {}
                if start:
                    bounds["start"] = start
                if end:
                    bounds["end"] = end
                repeat["boundsPeriod"] = bounds
            elif (
                width is not None
                and number(width.get("value"))
                and width.get("unit") in PERIOD_UNITS
            ):
                repeat["boundsDuration"] = quantity(width.get("value"), width.get("unit"))
            if width is not None and (start and not end) and width.get("unit") in PERIOD_UNITS:
                repeat.pop("boundsPeriod", None)
                repeat["boundsDuration"] = quantity(width.get("value"), width.get("unit"))

    def range_or_quantity(self, el) -> tuple[str, dict] | None:
        if el is None or el.get("nullFlavor"):
            return None

        def q(x):
            if x is None:
                return None
            unit = x.get("unit")
            return quantity(x.get("value"), unit if unit not in (None, "1") else None)

        if el.get("value") is not None:
            v = q(el)
            return ("Quantity", v) if v else None
        low, high = q(el.find(h("low"))), q(el.find(h("high")))
        if low and high and low == high:
            return "Quantity", low
        if low or high:
            return "Range", {k: v for k, v in (("low", low), ("high", high)) if v}
        return None

    def dosage(self, sa, sequence: int | None = None) -> dict | None:
        d = {}
        if sequence is not None:
            d["sequence"] = sequence
        text = self.ref_text(sa.find(h("text")))
        if text:
            d["text"] = text[:2000]
        repeat: dict = {}
        for et in sa.findall(h("effectiveTime")):
            self.timing(et, repeat)
        if repeat:
            d["timing"] = {"repeat": repeat}
        route = self.concept(sa.find(h("routeCode")))
        if route:
            d["route"] = route
        site = self.concept(sa.find(h("approachSiteCode")))
        if site:
            d["site"] = site
        dr = {}
        dose = self.range_or_quantity(sa.find(h("doseQuantity")))
        if dose:
            dr[f"dose{dose[0]}"] = dose[1]
        rate = self.range_or_quantity(sa.find(h("rateQuantity")))
        if rate:
            dr[f"rate{rate[0]}"] = rate[1]
        if dr:
            d["doseAndRate"] = [dr]
        mx = sa.find(h("maxDoseQuantity"))
        if mx is not None:
            num, den = mx.find(h("numerator")), mx.find(h("denominator"))
            nq = quantity(num.get("value"), num.get("unit")) if num is not None else None
            dq = quantity(den.get("value"), den.get("unit")) if den is not None else None
            if nq and dq:
                d["maxDosePerPeriod"] = {"numerator": nq, "denominator": dq}
        return d if len(d) > (1 if sequence is not None else 0) else None

    def medication(self, sa, *, prescription: bool) -> None:
        code = self.medication_code(sa)
        if code is None:
            return
        mood = sa.get("moodCode") or "EVN"
        request = prescription or mood in ("INT", "RQO", "PRMS", "PRP")
        dosages = []
        main = self.dosage(sa)
        subs = []
        for er in sa.findall(h("entryRelationship")):
            if er.get("typeCode") != "COMP":
                continue
            for sub in er.findall(h("substanceAdministration")):
                seq = er.find(h("sequenceNumber"))
                n = (
                    int(seq.get("value"))
                    if seq is not None and (seq.get("value") or "").isdigit()
                    else len(subs) + 1
                )
                d = self.dosage(sub, n)
                if d:
                    subs.append(d)
        if main:
            if subs:
                main.pop("text", None)  # the sequenced lines carry the instructions
                for s in subs:
                    for key in ("route", "maxDosePerPeriod"):
                        if key in main and key not in s:
                            s[key] = main[key]
                dosages = subs
            else:
                dosages = [main]
        else:
            dosages = subs
        eff = self.effective(sa)
        end = eff.get("Period", {}).get("end") or None
        negated = sa.get("negationInd") == "true"
        reasons = []
        for er in sa.findall(h("entryRelationship")):
            if er.get("typeCode") == "RSON":
                for child in er:
                    c = (
                        self.concept(child.find(h("value")))
                        if local(child.tag) == "observation"
                        else None
                    )
                    c = c or self.concept(child.find(h("code")))
                    if c:
                        reasons.append(c)
        now = datetime.now().date().isoformat()
        finished = bool(end) and end[:10] < now
        if request:
            res = self.base("MedicationRequest", sa)
            res["status"] = "completed" if finished else "active"
            if negated:
                res["doNotPerform"] = True
            res["intent"] = "order"
            res["medicationCodeableConcept"] = code
            authored = None
            for author in sa.findall(h("author")):
                authored = fhir_datetime(self.attr("time", "value", author))
            authored = authored or self.doc_date
            if authored:
                res["authoredOn"] = authored
            if self.author_ref:
                res["requester"] = {"reference": self.author_ref}
            if reasons:
                res["reasonCode"] = reasons
            if dosages:
                res["dosageInstruction"] = dosages
            dispense = {}
            rep = sa.find(h("repeatNumber"))
            if rep is not None and (rep.get("value") or "").isdigit():
                dispense["numberOfRepeatsAllowed"] = int(rep.get("value"))
            if eff.get("Period"):
                dispense["validityPeriod"] = eff["Period"]
            if dispense:
                res["dispenseRequest"] = dispense
            for er in sa.findall(h("entryRelationship")):
                for act in er.findall(h("act")):
                    sc = act.find(h("code"))
                    if (
                        sc is not None
                        and system_of(sc.get("codeSystem"))
                        == OID_SYSTEMS["2.16.840.1.113883.5.1070"]
                    ):
                        res["substitution"] = {
                            "allowedCodeableConcept": self.concept(sc) or {"text": sc.get("code")}
                        }
        else:
            res = self.base("MedicationStatement", sa)
            res["status"] = "not-taken" if negated else ("completed" if finished else "active")
            res["medicationCodeableConcept"] = code
            if "dateTime" in eff:
                res["effectiveDateTime"] = eff["dateTime"]
            elif "Period" in eff:
                res["effectivePeriod"] = eff["Period"]
            if self.doc_date:
                res["dateAsserted"] = self.doc_date
            if self.author_ref:
                res["informationSource"] = {"reference": self.author_ref}
            if reasons:
                res["reasonCode"] = reasons
            if dosages:
                res["dosage"] = dosages
        self.conv.add(res)

    # --- immunizations ---------------------------------------------------------------------

    def immunization(self, sa) -> None:
        code = self.medication_code(sa)
        if code is None:
            code = self.concept(sa.find(h("code")))
        if code is None:
            return
        res = self.base("Immunization", sa)
        res["status"] = "not-done" if sa.get("negationInd") == "true" else "completed"
        res["vaccineCode"] = code
        eff = self.effective(sa)
        when = eff.get("dateTime") or eff.get("Period", {}).get("start")
        if when:
            res["occurrenceDateTime"] = when
        else:
            res["occurrenceString"] = "unknown date"
        if self.doc_date:
            res["recorded"] = self.doc_date
        lot = clean(
            sa.findtext(hp("consumable/manufacturedProduct/manufacturedMaterial/lotNumberText"))
        )
        if lot:
            res["lotNumber"] = lot[:100]
        site = self.concept(sa.find(h("approachSiteCode")))
        if site:
            res["site"] = site
        route = self.concept(sa.find(h("routeCode")))
        if route:
            res["route"] = route
        dose = sa.find(h("doseQuantity"))
        if dose is not None and dose.get("value"):
            q = quantity(
                dose.get("value"), dose.get("unit") if dose.get("unit") not in (None, "1") else None
            )
            if q:
                res["doseQuantity"] = q
        performers = []
        for perf in sa.findall(h("performer")):
            ref = self.practitioner(perf.find(h("assignedEntity")))
            if ref:
                performers.append(
                    {
                        "function": {
                            "coding": [
                                coding(
                                    "http://terminology.hl7.org/CodeSystem/v2-0443",
                                    "AP",
                                    "Administering Provider",
                                )
                            ]
                        },
                        "actor": {"reference": ref},
                    }
                )
        if performers:
            res["performer"] = performers
        notes = self.note(sa)
        if notes and notes[0]["text"] != code.get("text"):
            res["note"] = notes
        self.conv.add(res)

    # --- results, vital signs, procedures --------------------------------------------------

    def observation(self, obs, cat: str, cat_display: str) -> str | None:
        code = self.concept(obs.find(h("code")))
        vx = self.value_x(obs.find(h("value")))
        if code is None or vx is None:
            return None
        res = self.base("Observation", obs)
        status = self.attr("statusCode", "code", obs)
        res["status"] = {
            "active": "preliminary",
            "aborted": "cancelled",
            "cancelled": "cancelled",
        }.get(status or "", "final")
        res["category"] = category(cat, cat_display)
        res["code"] = code
        eff = self.effective(obs)
        if "dateTime" in eff:
            res["effectiveDateTime"] = eff["dateTime"]
        elif "Period" in eff:
            res["effectivePeriod"] = eff["Period"]
        elif self.doc_date:
            res["effectiveDateTime"] = self.doc_date
        res[vx[0]] = vx[1]
        interp = [self.concept(i) for i in obs.findall(h("interpretationCode"))]
        interp = [i for i in interp if i]
        if interp:
            res["interpretation"] = interp
        ranges = []
        for rr in obs.findall(hp("referenceRange/observationRange")):
            rng = {}
            v = rr.find(h("value"))
            if v is not None:
                for side in ("low", "high"):
                    b = v.find(h(side))
                    if b is not None:
                        q = quantity(
                            b.get("value"),
                            b.get("unit") if b.get("unit") not in (None, "1") else None,
                        )
                        if q:
                            rng[side] = q
            text = self.ref_text(rr.find(h("text")))
            if text:
                rng["text"] = text[:500]
            if rng:
                ranges.append(rng)
        if ranges:
            res["referenceRange"] = ranges
        method = self.concept(obs.find(h("methodCode")))
        if method:
            res["method"] = method
        notes = self.note(obs)
        # The narrative often only says the value again (« 37.58 kg/m2 »): not a comment.
        if notes and not words.repeats_value(notes[0]["text"], res):
            res["note"] = notes
        if self.conv.document_url:
            res["derivedFrom"] = [{"reference": self.conv.document_url}]
        return self.conv.add(res)

    def report(self, stmt, section_code: str) -> None:
        observations = self.result_observations(stmt)
        refs = [
            r for r in (self.observation(o, "laboratory", "Laboratory") for o in observations) if r
        ]
        if not refs:
            return
        code = self.concept(stmt.find(h("code"))) if local(stmt.tag) != "observation" else None
        if code is None:
            code = {"text": "Laboratory report"}
            if section_code:
                code["coding"] = [coding(LOINC, section_code)]
        res = self.base("DiagnosticReport", stmt)
        res["status"] = "final"
        res["category"] = [
            {
                "coding": [
                    coding("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")
                ]
            }
        ]
        res["code"] = code
        eff = self.effective(stmt)
        if not eff:
            first = next((r for u, r in self.conv.resources if u == refs[0]), {})
            if first.get("effectiveDateTime"):
                eff = {"dateTime": first["effectiveDateTime"]}
        if "dateTime" in eff:
            res["effectiveDateTime"] = eff["dateTime"]
        elif "Period" in eff:
            res["effectivePeriod"] = eff["Period"]
        issued = fhir_instant(self.attr("effectiveTime", "value"))
        if issued:
            res["issued"] = issued
        if self.author_ref:
            res["performer"] = [{"reference": self.author_ref}]
        res["result"] = [{"reference": r} for r in refs]
        self.conv.add(res)

    def procedure(self, proc) -> None:
        code = self.concept(proc.find(h("code")))
        if code is None:
            text = self.ref_text(proc.find(h("text")))
            code = {"text": text} if text else None
        if code is None:
            return
        res = self.base("Procedure", proc)
        status = self.attr("statusCode", "code", proc)
        res["status"] = {
            "active": "in-progress",
            "aborted": "stopped",
            "cancelled": "not-done",
            "new": "preparation",
        }.get(status or "", "completed")
        if proc.get("negationInd") == "true":
            res["status"] = "not-done"
        res["code"] = code
        eff = self.effective(proc)
        if "dateTime" in eff:
            res["performedDateTime"] = eff["dateTime"]
        elif "Period" in eff:
            res["performedPeriod"] = eff["Period"]
        site = self.concept(proc.find(h("targetSiteCode")))
        if site:
            res["bodySite"] = [site]
        self.conv.add(res)

    def device_request(self, supply) -> None:
        """A prescribed medical device (a bed, a wheelchair…) → DeviceRequest; one handed
        out (moodCode EVN) → SupplyDelivery.

        Every code of the device is kept (EMDN, LPP and any other French system, by OID);
        the quantity, the number of renewals and the rental duration go in ``parameter``.
        """
        device = supply.find(hp("participant/participantRole/playingDevice"))
        code = self.concept(device.find(h("code"))) if device is not None else None
        text = self.ref_text(supply.find(h("text")))
        if code is None:
            name = clean(device.findtext(h("name"))) if device is not None else ""
            code = {"text": (name or text)[:1000]} if (name or text) else None
        if code is None:
            return
        eff = self.effective(supply)
        if supply.get("moodCode") == "EVN":  # a device handed out: not a request
            res = self.base("SupplyDelivery", supply)
            res["status"] = "completed"
            item = {"itemCodeableConcept": code}
            q_el = supply.find(h("quantity"))
            qty = quantity(q_el.get("value")) if q_el is not None else None
            if qty:
                item["quantity"] = qty
            res["suppliedItem"] = item
            if "Period" in eff:
                res["occurrencePeriod"] = eff["Period"]
            elif "dateTime" in eff:
                res["occurrenceDateTime"] = eff["dateTime"]
            self.conv.add(res)
            return
        end = eff.get("Period", {}).get("end") or eff.get("dateTime")
        finished = bool(end) and end[:10] < datetime.now().date().isoformat()
        res = self.base("DeviceRequest", supply)
        res["status"] = "completed" if finished else "active"
        res["intent"] = "order" if supply.get("moodCode") in ("INT", "RQO", None) else "proposal"
        res["codeCodeableConcept"] = code
        if "Period" in eff:
            res["occurrencePeriod"] = eff["Period"]
        elif "dateTime" in eff:
            res["occurrenceDateTime"] = eff["dateTime"]
        authored = None
        for author in supply.findall(h("author")):
            authored = fhir_datetime(self.attr("time", "value", author))
        if authored or self.doc_date:
            res["authoredOn"] = authored or self.doc_date
        if self.author_ref:
            res["requester"] = {"reference": self.author_ref}
        parameters = []
        qty = supply.find(h("quantity"))
        if qty is not None and number(qty.get("value")) is not None:
            parameters.append(
                {"code": {"text": "quantity"}, "valueQuantity": quantity(qty.get("value"))}
            )
        rep = supply.find(h("repeatNumber"))
        if rep is not None and (rep.get("value") or "").isdigit():
            parameters.append(
                {
                    "code": {"text": "number of renewals"},
                    "valueQuantity": quantity(rep.get("value")),
                }
            )
        width = supply.find(hp("expectedUseTime/width"))
        if width is not None and width.get("unit") in PERIOD_UNITS:
            duration = quantity(width.get("value"), width.get("unit"))
            if duration:
                parameters.append({"code": {"text": "rental duration"}, "valueQuantity": duration})
        parameters = [p for p in parameters if p.get("valueQuantity")]
        if parameters:
            res["parameter"] = parameters
        if text and text != code.get("text"):
            res["note"] = [{"text": text[:5000]}]
        self.conv.add(res)


def convert(data: bytes, root, kind: str) -> Conversion:
    """A parsed CDA document into a Conversion (resources, document, originals)."""
    reader = Reader(root, kind)
    conv = reader.read()
    conv.originals[0].content = data
    conv.patient = reader.patient()
    # The document says its language (« fr-FR »): each item keeps it, so that its own words
    # read as written, unmarked, to a reader of that language (records.words.as_read).
    language = root.find(f"{{{NS}}}languageCode")
    code = (language.get("code") or "").strip() if language is not None else ""
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
        for _url, resource in conv.resources:
            if resource.get("resourceType") != "Patient":
                resource.setdefault("language", code)
    return conv
