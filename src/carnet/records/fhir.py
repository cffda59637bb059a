"""FHIR R4 helpers: validation, references, dates and searchable codes of a resource."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from . import dates, validation

# Professionals and places: public reference data shared by every record.
SHARED_TYPES = frozenset({"Practitioner", "Organization", "Location", "PractitionerRole"})
ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class InvalidResource(ValueError):
    """A resource that is not valid FHIR R4; the message says what is wrong."""


def model_class(resource_type: str):
    if not isinstance(resource_type, str) or not re.fullmatch(
        r"[A-Z][A-Za-z]{1,63}", resource_type
    ):
        raise InvalidResource(f"unknown resource type {str(resource_type)[:64]!r}")
    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError, AttributeError, ImportError) as exc:
        raise InvalidResource(f"unknown resource type {resource_type!r}") from exc


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        msg = err.get("msg", "invalid")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def validate(
    resource: dict,
    options: validation.Options = validation.DEFAULT,
    *,
    code_problems: list | None = None,
) -> None:
    """Raise InvalidResource unless ``resource`` is a valid R4 resource.

    The fhir.resources model checks types, cardinalities and unknown properties; then
    ``validation.check`` adds the FHIR rules the model misses (see that module). With
    ``code_problems`` (a list), a wrong code (a SNOMED CT id whose check digit fails) is
    collected there as a warning instead of refusing the resource.
    """
    if not isinstance(resource, dict):
        raise InvalidResource("a resource must be a JSON object")
    cls = model_class(resource.get("resourceType"))
    try:
        cls.model_validate(resource)
    except ValidationError as exc:
        raise InvalidResource(_describe(exc)) from None
    except (TypeError, ValueError) as exc:
        raise InvalidResource(str(exc)[:300]) from None
    except RecursionError:
        raise InvalidResource("the resource is nested too deeply") from None
    try:
        validation.check(resource, options, code_problems=code_problems)
    except validation.StructuralError as exc:
        raise InvalidResource(str(exc)[:500]) from None
    except RecursionError:
        raise InvalidResource("the resource is nested too deeply") from None


# --- References ------------------------------------------------------------------------------


def iter_references(node, path: str = "") -> Iterator[tuple[dict, str]]:
    """Every Reference-like object (a dict with a string ``reference``) inside ``node``."""
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str):
            yield node, path
        for key, value in node.items():
            if isinstance(value, dict | list):
                yield from iter_references(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_references(item, f"{path}[{i}]")


def rewrite_references(resource: dict, resolve: Callable[[str], str | None]) -> list[str]:
    """Replace each reference by ``resolve(ref)``; returns the references left unresolved."""
    dangling = []
    for node, _path in iter_references(resource):
        ref = node["reference"]
        if ref.startswith("#"):
            continue  # contained resource
        new = resolve(ref)
        if new is None:
            dangling.append(ref)
        else:
            node["reference"] = new
    return dangling


# --- Dates -------------------------------------------------------------------------------------

DATE_FIELDS = (
    "effectiveDateTime",
    "effectivePeriod",
    "effectiveInstant",
    "issued",
    "onsetDateTime",
    "onsetPeriod",
    "recordedDate",
    "occurrenceDateTime",
    "occurrencePeriod",
    "authoredOn",
    "performedDateTime",
    "performedPeriod",
    "period",
    "started",
    "date",
    "created",
    "billablePeriod",
    "dateWritten",
    "assertedDate",
    "sent",
    "lastModified",
    "dateTime",  # Consent
)


def clinical_date_text(resource: dict) -> str | None:
    """The FHIR date or dateTime that says when the thing happened, as the source wrote it."""
    for name in DATE_FIELDS:
        value = resource.get(name)
        if isinstance(value, dict):
            value = value.get("start") or value.get("end")
        if isinstance(value, str) and dates.parse(value) is not None:
            return value.strip()
    return None


def clinical_date(resource: dict) -> datetime | None:
    """When the thing happened, its first instant: to order timelines and ``date`` search."""
    return dates.instant(clinical_date_text(resource))


def clinical_shown(resource: dict) -> date | datetime | None:
    """When the thing happened, as a page shows it: a day stays a ``date`` (``dates.shown``)."""
    return dates.shown(clinical_date_text(resource))


def clinical_date_precision(resource: dict) -> str:
    """How much of ``clinical_date`` the source gave: "year" (« 1975 »), "month" or "day".

    A vaccine the document dates « 1975 » is shown as « 1975 », never « 1 janvier 1975 »."""
    found = dates.precision(clinical_date_text(resource))
    return found if found in ("year", "month") else "day"


# --- Searchable codes --------------------------------------------------------------------------

CODE_FIELDS = ("code", "vaccineCode", "medicationCodeableConcept", "type")


def _codings(concept) -> Iterator[tuple[str, str]]:
    concepts = concept if isinstance(concept, list) else [concept]
    for c in concepts:
        if not isinstance(c, dict):
            continue
        for coding in c.get("coding") or []:
            if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                yield coding.get("system") or "", coding["code"]


def search_terms(resource: dict) -> list[tuple[str, str]]:
    """(param, value) pairs to blind-index: ``code`` and ``category`` as FHIR token values."""
    terms: set[tuple[str, str]] = set()
    for name in CODE_FIELDS:
        if name in resource:
            for system, code in _codings(resource[name]):
                terms.add(("code", code))
                if system:
                    terms.add(("code", f"{system}|{code}"))
            break
    if "category" in resource:
        for system, code in _codings(resource["category"]):
            terms.add(("category", code))
            if system:
                terms.add(("category", f"{system}|{code}"))
    visit = encounter_of(resource)
    if visit:  # the visit an item was recorded in: its page lists what the record holds of it
        terms.add(("encounter", visit))
    return sorted(terms)


def encounter_of(resource: dict) -> str | None:
    """The visit an item belongs to (``Encounter/<id>``), if any."""
    for key in ("encounter", "context"):
        node = resource.get(key)
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and ref.startswith("Encounter/"):
                return ref
    return None
