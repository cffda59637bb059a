"""What every importer shares: safe XML, refusals, FHIR building blocks and the bundle.

XML is only ever parsed through ``defusedxml``: a document type may be declared (Apple
Health exports declare one) but no entity may be (that stops "billion laughs" and
quadratic blow-ups), nothing external is ever fetched, and the size of the input is
checked before parsing.
"""

from __future__ import annotations

import io
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings

from carnet.records.imports import ImportRefused

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"


def refuse_if_too_big(size: int, what: str = "the file") -> None:
    limit = settings.CARNET_MAX_IMPORT_BYTES
    if size > limit:
        raise ImportRefused(
            f"{what} is too big ({size / (1024 * 1024):.1f} MB); the limit is "
            f"{limit // (1024 * 1024)} MB",
            reason="too_big",
        )


def _xml_refusal(exc: Exception, what: str) -> ImportRefused:
    if isinstance(exc, DefusedXmlException):
        return ImportRefused(
            f"{what} declares XML entities or external references, which are refused for "
            "safety (no entity is ever expanded, nothing is fetched)",
            reason="unreadable",
        )
    if isinstance(exc, SafeET.ParseError):
        line, col = getattr(exc, "position", (0, 0))
        return ImportRefused(
            f"{what} is not well-formed XML (line {line}, column {col})", reason="unreadable"
        )
    return ImportRefused(f"{what} cannot be read as XML ({exc})"[:300], reason="unreadable")


def parse_xml(data: bytes, what: str = "the file"):
    """The root element of an XML document, parsed safely; refuses anything unsafe or broken."""
    refuse_if_too_big(len(data), what)
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise _xml_refusal(exc, what) from None


def iterparse_xml(stream, events=("end",), what: str = "the file"):
    """Stream (event, element) pairs from an XML stream, safely (for large exports)."""
    try:
        yield from SafeET.iterparse(
            stream, events=events, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise _xml_refusal(exc, what) from None


def root_of(data: bytes) -> tuple[str, str, list]:
    """(namespace, local name, first children) of an XML document's root, read safely.

    Only the start of the document is read: enough to tell a CDA, GPX, TCX or Apple
    Health file apart. Children are the root's direct children up to the first
    ``component`` (the CDA header), at most 200.
    """
    depth = 0
    root = None
    children = []
    for event, elem in iterparse_xml(io.BytesIO(data), events=("start", "end")):
        if event == "start":
            depth += 1
            if root is None:
                root = elem
            elif depth == 2:
                if local(elem.tag) == "component" or len(children) >= 200:
                    break
        else:
            if depth == 2:
                children.append(elem)
            depth -= 1
            if depth == 0:
                break
    if root is None:
        raise ImportRefused("the file holds no XML element", reason="unreadable")
    ns, name = split_tag(root.tag)
    return ns, name, children


def split_tag(tag: str) -> tuple[str, str]:
    if isinstance(tag, str) and tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag if isinstance(tag, str) else ""


def local(tag) -> str:
    return split_tag(tag)[1]


# --- FHIR building blocks ----------------------------------------------------------------------


def number(value: float | int | str | None):
    """A JSON number for FHIR: ints stay ints, floats are rounded sensibly, junk is None."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    if f == int(f) and abs(f) < 1e15:
        return int(f)
    return round(f, 4)


def quantity(value, unit: str | None = None, code: str | None = None) -> dict | None:
    v = number(value)
    if v is None:
        return None
    q = {"value": v}
    if unit:
        q["unit"] = unit
        q["system"] = UCUM
        q["code"] = code or unit
    return q


def coding(system: str | None, code: str | None, display: str | None = None) -> dict | None:
    if not code or not str(code).strip():
        return None
    c = {}
    if system:
        c["system"] = system
    c["code"] = str(code).strip()
    if display and str(display).strip():
        c["display"] = str(display).strip()[:500]
    return c


def loinc(code: str, display: str, text: str | None = None) -> dict:
    concept = {"coding": [coding(LOINC, code, display)]}
    if text:
        concept["text"] = text
    return concept


def category(code: str, display: str) -> list[dict]:
    return [{"coding": [coding(OBS_CATEGORY, code, display)]}]


def iso(dt: datetime) -> str:
    """An aware datetime as a FHIR dateTime (seconds precision)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.replace(microsecond=0).isoformat()


# Carnet's own codes for what a file gives without a standard code (a sport, a summary's
# minimum, a kind of file): items store the code, pages say it in the reader's language
# (``records.words``, the display table).
CARNET = "https://carnet.example/fhir/CodeSystem/carnet"


def carnet_code(code: str, text: str = "") -> dict:
    """A concept in Carnet's code system; ``text``: the file's own words, if any."""
    concept = {"coding": [{"system": CARNET, "code": code}]}
    if text:
        concept["text"] = text
    return concept


def summary_components(values: list[float], code: dict, unit: str, ucum: str) -> list[dict]:
    """min / max / sample count components of a summary observation (the value is the mean)."""
    return [
        {
            "code": carnet_code("minimum"),
            "valueQuantity": quantity(min(values), unit, ucum),
        },
        {
            "code": carnet_code("maximum"),
            "valueQuantity": quantity(max(values), unit, ucum),
        },
        {
            "code": carnet_code("measurement-count"),
            "valueInteger": len(values),
        },
    ]


HEART_RATE = {"coding": [coding(LOINC, "8867-4", "Heart rate")]}


def sport_code(sport: str) -> str:
    """« running », « cycling »… from what a file says (« Running », « HKWorkoutActivityType
    TraditionalStrengthTraining », FIT's « running »): lower case, words joined by hyphens."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(sport or "").strip())
    return "-".join(re.findall(r"[a-z0-9]+", words.lower()))[:60] or "activity"


def heart_rate_summary(
    values: list[float],
    start: datetime | None,
    end: datetime | None,
    *,
    exercise: bool = False,
) -> dict:
    """One Observation summarising heart-rate samples over a period: mean, min, max, count.

    A device that recorded no calendar time (only seconds since it was switched on)
    gives no period: the observation then has no effective time. With ``exercise`` (the
    samples of an activity session) it carries the category ``activity`` too, as the HL7
    Physical Activity guide does, so that it is never read as a resting heart rate.
    """
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": category("vital-signs", "Vital Signs")
        + (category("activity", "Activity") if exercise else []),
        "code": HEART_RATE,
        "valueQuantity": quantity(round(sum(values) / len(values), 1), "/min", "/min"),
        "component": summary_components(values, HEART_RATE, "/min", "/min"),
    }
    if start is not None:
        obs["effectivePeriod"] = {"start": iso(start), "end": iso(max(end or start, start))}
    return obs


EXERCISE = {"coding": [coding(LOINC, "73985-4", "Exercise activity")]}


def activity_session(
    sport: str,
    start: datetime | None,
    end: datetime | None,
    *,
    duration_s: float | None = None,
    distance_m: float | None = None,
    energy_kcal: float | None = None,
    steps: float | None = None,
    note: str = "",
) -> dict:
    """One Observation for one activity session (sport, period, duration, distance, energy)."""
    components = []
    if duration_s is not None and number(duration_s) is not None:
        components.append(
            {
                "code": loinc("55411-3", "Exercise duration"),
                "valueQuantity": quantity(round(duration_s / 60, 2), "min", "min"),
            }
        )
    if distance_m is not None and number(distance_m) is not None:
        components.append(
            {"code": carnet_code("distance"), "valueQuantity": quantity(round(distance_m, 1), "m")}
        )
    if energy_kcal is not None and number(energy_kcal) is not None:
        components.append(
            {
                "code": loinc("41981-2", "Calories burned"),
                "valueQuantity": quantity(round(energy_kcal, 1), "kcal", "kcal"),
            }
        )
    if steps is not None and number(steps) is not None:
        components.append(
            {
                "code": loinc("55423-8", "Number of steps"),
                "valueQuantity": quantity(int(steps), "steps", "{steps}"),
            }
        )
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": category("activity", "Activity"),
        "code": EXERCISE,
        # The sport as a code (words on the page in its language); unknown to Carnet, the
        # file's own word shows, marked as such.
        "valueCodeableConcept": carnet_code(sport_code(sport), str(sport or "").strip()[:100]),
    }
    if start is not None:
        obs["effectivePeriod"] = {"start": iso(start), "end": iso(max(end or start, start))}
    if components:
        obs["component"] = components
    if note:
        obs["note"] = [{"text": note}]
    return obs


# --- The bundle and what an importer hands back --------------------------------------------


@dataclass
class Original:
    """A file to keep as an encrypted blob, named by an attachment of the DocumentReference."""

    content: bytes
    content_type: str
    title: str


@dataclass
class Conversion:
    """What an importer made of a file: FHIR resources, and the originals to keep.

    ``document`` is the DocumentReference that describes the file; its ``content`` is
    filled with one attachment per original once the originals are stored.
    """

    kind: str
    resources: list[dict] = field(default_factory=list)
    shared: list[dict] = field(default_factory=list)  # Practitioner / Organization
    document: dict | None = None
    document_url: str = ""
    originals: list[Original] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was left out, for the report
    # What stays readable in the original only, for the person: {"section": the document's
    # own title for it, "what": "entry" | "text" | "file", "count": n}.
    left_out: list[dict] = field(default_factory=list)
    patient: dict | None = None  # the person as the file names them, for a record without one

    def add(self, resource: dict) -> str:
        """Add a resource; returns the urn:uuid reference other resources use for it."""
        url = f"urn:uuid:{uuid.uuid4()}"
        resource.pop("id", None)
        (
            self.shared
            if resource["resourceType"] in ("Practitioner", "Organization")
            else self.resources
        ).append((url, resource))
        return url

    def set_document(self, document: dict) -> str:
        """The DocumentReference of the file itself (its attachments are added on import)."""
        self.document = document
        self.document_url = self.add(document)
        return self.document_url

    def bundle(self) -> dict:
        entries = [{"fullUrl": u, "resource": r} for u, r in self.shared]
        entries += [{"fullUrl": u, "resource": r} for u, r in self.resources]
        return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def bind_subject(conv: Conversion, subject: dict) -> None:
    """Point every resource at the person: ``subject`` or ``patient`` as the type asks."""
    patient_field = {"AllergyIntolerance", "Immunization", "SupplyDelivery", "Consent"}
    no_subject = {"Patient"}
    for _url, res in conv.resources:
        rtype = res["resourceType"]
        if rtype in no_subject:
            continue
        key = "patient" if rtype in patient_field else "subject"
        res.setdefault(key, dict(subject))
