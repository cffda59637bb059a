"""The FHIR R4 API (django-ninja; OpenAPI at /api/docs).

Views stay thin: they parse the request, call ``records.services`` (which asks
``access``, writes the audit entry and only then decrypts) and render FHIR JSON. Every
error is an OperationOutcome; a resource or record the caller may not see is answered
exactly like one that does not exist.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ConfigDict, Field

from carnet.access import history as access_history
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import dates, fhir, imports, services
from carnet.smart import scopes as smart_scopes
from carnet.vault import services as vault
from carnet.web.middleware import busy_response, database_busy

from .auth import SecondFactorRequired, token_auth

log = logging.getLogger("carnet.api")

FHIR_JSON = "application/fhir+json; charset=utf-8"
BASE = "/fhir/R4"
DEFAULT_COUNT = 50
# The largest integer any parameter takes: above it (or below 0) is a 400 naming the
# parameter, never a number the database cannot hold (issue 13: a 500 on a huge _offset).
MAX_INTEGER = 2**31 - 1


class FhirAPI(NinjaAPI):
    """Declares the media type the answers really have: ``application/fhir+json``."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for answer in (operation.get("responses") or {}).values():
                    content = answer.get("content") or {}
                    if "application/json" in content:
                        answer["content"] = {"application/fhir+json": content["application/json"]}
        return schema


api = FhirAPI(
    title="Carnet FHIR API",
    version="1",
    description=(
        "FHIR R4 access to the person's own health record, with a personal access token "
        "(`Authorization: Bearer carnet_…`, created in the account settings or with "
        "`carnet token create EMAIL`). A token reaches its owner's record, and the records "
        "of people who shared theirs with its owner (a practitioner's grant, the médecin "
        "traitant, a proxy, an emergency access in progress), with the same rules as the "
        "web pages: searches, totals and `$everything` silently leave out what the person "
        "did not share. Directory "
        "data (Practitioner, Organization, Location, PractitionerRole) is readable by any "
        "authenticated caller.\n\n"
        "**Not found means not found or not yours.** A resource, a record or a patient the "
        "caller may not see is answered `404` with exactly the same OperationOutcome as one "
        "that does not exist, so that nothing reveals what exists; the refusal is written "
        "to that person's access history. Every error is an OperationOutcome "
        "(`application/fhir+json`)."
    ),
    urls_namespace="fhir",
    docs_url="/api/docs",
    openapi_url="/api/openapi.json",
    auth=token_auth,
)


# --- Schemas (documentation of the JSON shapes; responses are built as FHIR JSON) ----------


class Issue(Schema):
    model_config = ConfigDict(extra="allow")  # details, expression (FHIR OperationOutcome)
    severity: str = Field(examples=["error"])
    code: str = Field(examples=["not-found"])
    diagnostics: str = ""


class OperationOutcome(Schema):
    """A FHIR OperationOutcome: what went wrong."""

    resourceType: str = "OperationOutcome"  # noqa: N815
    issue: list[Issue]


class Resource(Schema):
    """Any FHIR R4 resource (its other elements follow the FHIR specification)."""

    model_config = ConfigDict(extra="allow")
    resourceType: str  # noqa: N815
    id: str | None = None


class BundleLink(Schema):
    relation: str
    url: str


class BundleEntry(Schema):
    model_config = ConfigDict(extra="allow")
    fullUrl: str | None = None  # noqa: N815
    resource: Resource | None = None


class Bundle(Schema):
    """A FHIR Bundle (searchset, history, transaction-response…)."""

    model_config = ConfigDict(extra="allow")
    resourceType: str = "Bundle"  # noqa: N815
    type: str
    total: int | None = None
    link: list[BundleLink] = []
    entry: list[BundleEntry] = []


ERRORS = {
    400: OperationOutcome,
    401: OperationOutcome,
    403: OperationOutcome,
    404: OperationOutcome,
    503: OperationOutcome,
}


# --- Responses -------------------------------------------------------------------------------


def fhir_response(body: dict, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=FHIR_JSON,
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(status: int, code: str, diagnostics: str, severity: str = "error", **headers):
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }
    return fhir_response(body, status, **headers)


NOT_FOUND_TEXT = "resource not found"


def not_found() -> HttpResponse:
    # One body for "does not exist" and "not yours": nothing about the record leaks.
    return outcome(404, "not-found", NOT_FOUND_TEXT)


class FhirError(Exception):
    def __init__(self, status: int, code: str, diagnostics: str):
        super().__init__(diagnostics)
        self.status, self.code, self.diagnostics = status, code, diagnostics


@api.exception_handler(NotFound)
def _not_found(request, exc):
    return not_found()


@api.exception_handler(Http404)
def _http404(request, exc):
    return not_found()


@api.exception_handler(FhirError)
def _fhir_error(request, exc: FhirError):
    return outcome(exc.status, exc.code, exc.diagnostics)


@api.exception_handler(fhir.InvalidResource)
def _invalid(request, exc):
    return outcome(400, "invalid", str(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    has_header = bool(request.headers.get("Authorization"))
    challenge = 'Bearer realm="carnet"'
    if isinstance(exc, SecondFactorRequired):
        return outcome(
            401,
            "login",
            "this professional account has no second factor: set up two-step sign-in "
            "(a code app or a passkey) in Carnet, then the token works again",
            WWW_Authenticate=challenge + ', error="insufficient_user_authentication"',
        )
    if has_header:
        challenge += ', error="invalid_token"'
    return outcome(
        401,
        "login",
        "a valid personal access token is needed: Authorization: Bearer carnet_…"
        if not has_header
        else "the access token is unknown, revoked or expired",
        WWW_Authenticate=challenge,
    )


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    parts = []
    for err in exc.errors[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")]
        parts.append(f"{'.'.join(loc)}: {err.get('msg', 'invalid')}" if loc else err.get("msg"))
    return outcome(400, "invalid", "; ".join(str(p) for p in parts) or "invalid request")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return outcome(exc.status_code, "processing", str(exc))


UNREADABLE_TEXT = (
    "this record cannot be read on this server: its data key is not in the key store "
    "(an operator restores it with 'carnet restore FILE.keystore'; 'carnet check' lists "
    "such records); nothing was changed"
)


@api.exception_handler(vault.VaultError)
def _unreadable(request, exc):
    # Reached only after access permitted the read (decryption comes after the decision), so
    # it tells nothing to someone who may not see the record.
    log.warning("a record without a readable data key was asked for (%s)", type(exc).__name__)
    return outcome(503, "no-store", UNREADABLE_TEXT, Retry_After="3600")


@api.exception_handler(Exception)
def _unexpected(request, exc):
    if database_busy(exc):  # a lock wait that ran out: "try again", never a 500
        return busy_response(request)
    log.exception("FHIR API error")
    return outcome(500, "exception", "internal error; nothing was changed")


# --- Helpers ---------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    session = getattr(request, "smart", None)
    return session.actor if session is not None else Actor.of_user(request.auth)


def _check_scope(request: HttpRequest, resource_type: str, action: str) -> None:
    """An app's token reaches only the resource types and actions of its scopes (403)."""
    session = getattr(request, "smart", None)
    if session is None or resource_type in fhir.SHARED_TYPES:
        return
    if not smart_scopes.allows(list(session.scopes), resource_type, action):
        raise FhirError(
            403,
            "forbidden",
            f"this app's access does not cover {resource_type[:64]} ({action})",
        )


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(BASE)


def _check_type(resource_type: str) -> None:
    try:
        fhir.model_class(resource_type)
    except fhir.InvalidResource:
        raise FhirError(
            400, "not-supported", f"unknown resource type {resource_type[:64]!r}"
        ) from None
    if resource_type == "Bundle" or resource_type == "metadata":
        raise FhirError(400, "not-supported", f"{resource_type} is not stored as a resource")


def _purpose_for(actor: Actor, resource_type: str, resource_id: str) -> str:
    if resource_type in fhir.SHARED_TYPES:
        return Purpose.SELF  # directory data: no record involved
    patient_id = services.owner_patient_of(resource_type, resource_id)
    if patient_id is None:
        # Asked about the unknown record, as ``services.read`` then decides: the same work
        # as for a record the caller may not see, so the answer's time tells nothing.
        patient_id = vault.UNKNOWN_RECORD
    return services.self_purpose(actor, patient_id)


def _entry(base: str, resource: dict, mode: str | None = "match") -> dict:
    entry = {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}
    if mode:
        entry["search"] = {"mode": mode}
    return entry


def _patient_id_from_param(request: HttpRequest, actor: Actor, patient: str | None) -> int:
    if not patient:
        own = accounts.patient_of(request.auth)
        if own is None:
            raise FhirError(
                400, "required", "the patient parameter is needed: you have no record of your own"
            )
        return own.pk
    value = patient.strip()
    if value.startswith(f"{_base(request)}/"):
        value = value[len(_base(request)) + 1 :]
    if "/" in value:
        rtype, _, value = value.partition("/")
        if rtype != "Patient":
            raise FhirError(400, "invalid", "patient must be Patient/<id> or <id>")
    if not fhir.ID_RE.match(value):
        raise FhirError(400, "invalid", "patient must be Patient/<id> or <id>")
    patient_id = services.owner_patient_of("Patient", value)
    if patient_id is None:
        raise NotFound()
    return patient_id


DATE_RE = re.compile(
    r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?"
    r"(\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?)$"
)


def _date_range(value: str) -> tuple[datetime, datetime]:
    """The interval a FHIR date search value stands for, [start, end)."""
    start = dates.instant(value)
    if start is None:
        raise FhirError(400, "invalid", f"date {value[:40]!r} is not a valid date")
    try:
        if len(value) == 4:
            end = start.replace(year=start.year + 1)
        elif len(value) == 7:
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        elif len(value) == 10:
            end = start + timedelta(days=1)
        elif "." in value:
            end = start + timedelta(microseconds=1)
        elif re.match(r"^.{10}T\d{2}:\d{2}(Z|[+-]|$)", value):
            end = start + timedelta(minutes=1)
        else:
            end = start + timedelta(seconds=1)
        return start.astimezone(UTC), end.astimezone(UTC)
    except (ValueError, OverflowError):
        raise FhirError(400, "invalid", f"date {value[:40]!r} is out of range") from None


def parse_dates(values: list[str]) -> list[tuple[str, datetime]]:
    """FHIR ``date`` parameters (repeatable: all must hold) as ORM lookups on the clinical date."""
    lookups: list[tuple[str, datetime]] = []
    for raw in values:
        m = DATE_RE.match(raw.strip())
        if not m:
            raise FhirError(
                400,
                "invalid",
                f"date {raw[:40]!r}: use [eq|ge|le|gt|lt]YYYY[-MM[-DD[Thh:mm[:ss][Z]]]]",
            )
        prefix, value = m.group(1) or "eq", m.group(2)
        if prefix not in ("eq", "ge", "le", "gt", "lt"):
            raise FhirError(400, "not-supported", f"date prefix {prefix!r} is not supported")
        start, end = _date_range(value)
        if prefix == "eq":
            lookups += [("gte", start), ("lt", end)]
        elif prefix == "ge":
            lookups.append(("gte", start))
        elif prefix == "gt":
            lookups.append(("gte", end))
        elif prefix == "le":
            lookups.append(("lt", end))
        else:
            lookups.append(("lt", start))
    return lookups


def _tokens(values: list[str] | None, name: str) -> list[str] | None:
    if not values:
        return None
    if len(values) > 1:
        raise FhirError(
            400,
            "not-supported",
            f"{name} may be given once; separate alternatives with commas ({name}=a,b)",
        )
    tokens = [v.strip() for v in values[0].split(",") if v.strip()]
    if not tokens:
        raise FhirError(400, "invalid", f"{name} is empty")
    return tokens


# --- Capability statement --------------------------------------------------------------------

RECORD_TYPES = (
    "AllergyIntolerance",
    "CarePlan",
    "CareTeam",
    "Claim",
    "Condition",
    "Device",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "ExplanationOfBenefit",
    "FamilyMemberHistory",
    "Goal",
    "ImagingStudy",
    "Immunization",
    "Medication",
    "MedicationAdministration",
    "MedicationRequest",
    "MedicationStatement",
    "Observation",
    "Patient",
    "Procedure",
    "Provenance",
    "ServiceRequest",
    "SupplyDelivery",
)

SEARCH_PARAMS = [
    {
        "name": "patient",
        "type": "reference",
        "documentation": "Patient/<id> or <id>; defaults to the caller's own record",
    },
    {"name": "code", "type": "token", "documentation": "code or system|code; comma = OR"},
    {
        "name": "date",
        "type": "date",
        "documentation": "clinical date with prefix eq, ge, le, gt or lt; repeatable (AND)",
    },
    {"name": "category", "type": "token", "documentation": "code or system|code; comma = OR"},
    {"name": "_count", "type": "number", "documentation": "page size, default 50, at most 1000"},
    {"name": "_offset", "type": "number", "documentation": "index of the first result"},
]


def capability_statement(base: str) -> dict:
    resources = []
    for rtype in sorted(RECORD_TYPES + tuple(fhir.SHARED_TYPES)):
        shared = rtype in fhir.SHARED_TYPES
        item: dict[str, Any] = {
            "type": rtype,
            "interaction": [{"code": "read"}]
            + ([] if shared else [{"code": "search-type"}, {"code": "history-instance"}]),
            "versioning": "versioned",
            "readHistory": not shared,
        }
        if not shared:
            item["searchParam"] = [{**p} for p in SEARCH_PARAMS]
        if rtype == "Patient":
            item["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                    "documentation": "the whole current record, and the professionals it names",
                }
            ]
        resources.append(item)
    resources.append(
        {
            "type": "AuditEvent",
            "interaction": [{"code": "search-type"}],
            "searchParam": [
                SEARCH_PARAMS[0],
                {"name": "date", "type": "date", "documentation": "by day: ge, le, eq, gt, lt"},
                {"name": "outcome", "type": "token", "documentation": "0 allowed, 4 refused"},
            ],
        }
    )
    site = base.removesuffix(BASE)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "Carnet",
        "kind": "instance",
        "software": {"name": "Carnet"},
        "implementation": {"description": "Carnet personal health record", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json", "application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "A personal access token reaches its owner's record and those "
                "shared with its owner; what is not shared is left out silently.",
                "security": {
                    "cors": False,
                    "description": "Authorization: Bearer <personal access token>, or the "
                    "OAuth token of an app the person connected (SMART App Launch 2.2: "
                    "/.well-known/smart-configuration)",
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [
                                {"url": "authorize", "valueUri": f"{site}/oauth/authorize/"},
                                {"url": "token", "valueUri": f"{site}/oauth/token/"},
                                {"url": "revoke", "valueUri": f"{site}/oauth/revoke/"},
                            ],
                        }
                    ],
                },
                "resource": resources,
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": "POST a transaction or collection Bundle to import it "
                        "into your own record, all or nothing",
                    }
                ],
            }
        ],
    }


@api.get(
    f"{BASE}/metadata",
    auth=None,
    response={200: Resource},
    summary="Capability statement",
    description="What this server supports (FHIR R4 CapabilityStatement). No token needed.",
    tags=["FHIR"],
)
def metadata(request):
    return fhir_response(capability_statement(_base(request)))


# --- Import ----------------------------------------------------------------------------------


@api.post(
    BASE,
    response={
        200: Bundle,
        400: OperationOutcome,
        401: OperationOutcome,
        403: OperationOutcome,
        409: OperationOutcome,
        429: OperationOutcome,
        413: OperationOutcome,
        503: OperationOutcome,
    },
    summary="Import a Bundle into your own record",
    description=(
        "POST a FHIR `transaction` or `collection` Bundle: it is imported into the "
        "caller's own record as one transaction, all or nothing (ids are assigned anew, "
        "`urn:uuid` references rewritten, professionals de-duplicated). The answer is a "
        "`transaction-response` Bundle with one entry per bundle entry, in order, giving "
        "`response.status` (`201 Created`, or `200 OK` for an entry merged into what "
        "exists) and `response.location`; an entry kept with a wrong code (a SNOMED CT id "
        "whose check digit fails) carries a warning OperationOutcome in `response.outcome`. "
        "A refused file gets `400` with an OperationOutcome naming the entry and the problem, "
        "and nothing is written; a body over the size limit gets `413`. A bundle whose "
        "Patient is someone else than the record's person (name, birth date, identifiers) "
        "gets `409` with an OperationOutcome naming what differs, and nothing is written: "
        "send it again with `?person=mine` (it is yours; your details stay), "
        "`?person=mine-take-details` (take the file's), or `?patient=Patient/<id>` for the "
        "record of a relative you manage. While another import into the same record is "
        "being written, or after too many imports in an hour, the answer is `429` with "
        "`Retry-After` (seconds), and nothing is written."
    ),
    tags=["FHIR"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/fhir+json": {"schema": {"$ref": "#/components/schemas/Bundle"}},
                "application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}},
            },
        }
    },
)
def post_bundle(request):
    limit = settings.CARNET_MAX_IMPORT_BYTES
    too_big = outcome(
        413, "too-costly", f"the body is too big; the limit is {limit // (1024 * 1024)} MB"
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return too_big
    if getattr(request, "smart", None) is not None:
        return outcome(403, "forbidden", "apps connected to a record may only read it")
    data = request.read(limit + 1)
    if len(data) > limit:
        return too_big
    patient = accounts.patient_of(request.auth)
    if patient is None:
        return outcome(403, "forbidden", "you have no record of your own to import into")
    actor = _actor(request)
    person = request.GET.get("person", imports.CHECK)
    if person not in imports.IDENTITY_CHOICES:
        return outcome(
            400,
            "invalid",
            f"person must be one of {', '.join(imports.IDENTITY_CHOICES)}, not {person[:40]!r}",
        )
    target, purpose = patient.pk, Purpose.SELF
    into = request.GET.get("patient")
    if into is not None:
        # A relative's record the caller manages (Patient/<record number> or the number).
        number = into.removeprefix("Patient/")
        if not number.isdigit():
            return outcome(400, "invalid", "patient must be Patient/<record number>")
        target, purpose = int(number), Purpose.PROXY
    try:
        bundle = imports.parse(data, max_bytes=limit)
        result = imports.import_bundle(
            actor, bundle, patient_id=target, purpose=purpose, filename="FHIR API", person=person
        )
    except imports.ImportBusy as exc:
        return outcome(429, "throttled", str(exc), Retry_After=str(exc.retry_after))
    except imports.ImportRefused as exc:
        if exc.reason == "other_person" and exc.mismatch is not None:
            return _other_person(exc.mismatch)
        return outcome(400, "invalid", str(exc))
    warned: dict[str, list[dict]] = {}
    for w in result.warnings:
        warned.setdefault(w["id"], []).append(w)
    entries = []
    for rtype, fid, version in result.locations:
        created = version == 1 and (rtype, fid) not in result.unchanged
        response: dict[str, Any] = {"status": "201 Created" if created else "200 OK"}
        if version is None:
            response["location"] = f"{rtype}/{fid}"
        else:
            response["location"] = f"{rtype}/{fid}/_history/{version}"
            response["etag"] = f'W/"{version}"'
        if fid in warned and version is not None:
            # Kept as sent, with a warning: a wrong code does not refuse the bundle.
            response["outcome"] = {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "severity": "warning",
                        "code": "code-invalid",
                        "diagnostics": w["message"],
                        "expression": [w["path"]],
                    }
                    for w in warned[fid]
                ],
            }
        entries.append({"response": response})
    body = {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    return fhir_response(body, 200, X_Carnet_Created=str(result.created))


def _other_person(mismatch) -> HttpResponse:
    """409: the bundle is about someone else than the record's person; nothing was written."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "business-rule",
                "details": {
                    "coding": [
                        {
                            "system": "https://carnet.sante.fr/fhir/CodeSystem/import-refusal",
                            "code": "other-person",
                        }
                    ],
                    "text": "the file is about someone else than the record's person",
                },
                "diagnostics": str(mismatch)
                + "; nothing was written. If the file is about the record's person, send it "
                "again with ?person=mine (their name and birth date stay) or "
                "?person=mine-take-details; if it is about a relative whose record you manage, "
                "with ?patient=Patient/<their record number>.",
                "expression": [f"Patient.{FHIR_FIELD[f]}" for f in mismatch.fields],
            }
        ],
    }
    return fhir_response(body, 409)


FHIR_FIELD = {"name": "name", "birth_date": "birthDate", "identifier": "identifier"}


# --- Patient/$everything ---------------------------------------------------------------------


@api.get(
    f"{BASE}/Patient/{{patient_id}}/$everything",
    response={200: Bundle, **ERRORS},
    summary="Everything in a record",
    description=(
        "The whole current record of the patient (and the practitioners and organisations "
        "it names) as a `searchset` Bundle, limited to what the caller may see. `404` when "
        "the patient does not exist or has not shared their record with the caller."
    ),
    tags=["FHIR"],
)
def everything(request, patient_id: str):
    _check_scope(request, "*", "read")
    actor = _actor(request)
    pid = _patient_id_from_param(request, actor, patient_id)
    resources = services.everything(actor, pid, services.self_purpose(actor, pid))
    base = _base(request)
    body = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [_entry(base, r) for r in resources],
    }
    return fhir_response(body)


# --- The access history as AuditEvent --------------------------------------------------------

OUTCOMES = {"0": "permit", "4": "deny"}


def _history_filters(dates_asked: list[str], outcome_asked: str | None) -> access_history.Filters:
    since = until = None
    for raw in dates_asked:
        m = DATE_RE.match(raw.strip())
        if not m or (m.group(1) or "eq") not in ("ge", "le", "eq", "gt", "lt"):
            raise FhirError(400, "invalid", f"date {raw[:40]!r}: use geYYYY-MM-DD or leYYYY-MM-DD")
        prefix, value = m.group(1) or "eq", m.group(2)
        start, end = _date_range(value)
        first, last = timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))
        if prefix in ("ge", "eq"):
            since = first
        if prefix == "gt":
            since = timezone.localdate(end)
        if prefix in ("le", "eq"):
            until = last
        if prefix == "lt":
            until = timezone.localdate(start - timedelta(microseconds=1))
    decision = ""
    if outcome_asked is not None:
        tokens = [t.split("|")[-1] for t in outcome_asked.split(",") if t.strip()]
        if len(tokens) != 1 or tokens[0] not in OUTCOMES:
            raise FhirError(400, "invalid", "outcome must be 0 (allowed) or 4 (refused)")
        decision = OUTCOMES[tokens[0]]
    return access_history.Filters(since=since, until=until, decision=decision)


@api.get(
    f"{BASE}/AuditEvent",
    response={200: Bundle, **ERRORS},
    summary="The access history of a record",
    description=(
        "Who looked at or changed the record, when and why, newest first, as AuditEvents in "
        "a `searchset` Bundle: for the person and for a relative who manages their record "
        "(anyone else gets `404`, as for a record that does not exist). `patient` as for any "
        "search (default: your own record); `date` with `ge`/`le`/`eq`/`gt`/`lt` (by day); "
        "`outcome` `0` (allowed) or `4` (refused); `_count` and `_offset` page through it."
    ),
    tags=["FHIR"],
)
def audit_events(
    request,
    patient: Annotated[str | None, Query(description="Patient/<id> or <id>")] = None,
    date: Annotated[list[str] | None, Query(description="e.g. ge2026-01-01 (repeatable)")] = None,
    outcome_param: Annotated[
        str | None, Query(alias="outcome", description="0 (allowed) or 4 (refused)")
    ] = None,
    count: Annotated[int, Query(alias="_count", ge=0, le=MAX_INTEGER)] = DEFAULT_COUNT,
    offset: Annotated[int, Query(alias="_offset", ge=0, le=MAX_INTEGER)] = 0,
):
    _check_scope(request, "AuditEvent", "search")
    actor = _actor(request)
    filters = _history_filters(date or [], outcome_param)
    count = min(count, services.MAX_PAGE)
    pid = _patient_id_from_param(request, actor, patient)
    total, events = access_history.audit_events(actor, pid, filters, offset=offset, count=count)
    params: list[tuple[str, str]] = []
    if patient:
        params.append(("patient", patient))
    params += [("date", d) for d in date or []]
    if outcome_param:
        params.append(("outcome", outcome_param))
    links = [{"relation": "self", "url": _page_url(request, params, offset, count)}]
    if count and offset + count < total:
        links.append({"relation": "next", "url": _page_url(request, params, offset + count, count)})
    if offset > 0 and count:
        prev = max(0, offset - count)
        links.append({"relation": "previous", "url": _page_url(request, params, prev, count)})
    base = _base(request)
    body = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [_entry(base, e) for e in events],
    }
    return fhir_response(body)


# --- Search ----------------------------------------------------------------------------------


def _page_url(request: HttpRequest, params: list[tuple[str, str]], offset: int, count: int) -> str:
    query = [*params, ("_count", str(count)), ("_offset", str(offset))]
    return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")


@api.get(
    f"{BASE}/{{resource_type}}",
    response={200: Bundle, **ERRORS},
    summary="Search a record",
    description=(
        "Current resources of one type in one record, newest clinical date first, as a "
        "`searchset` Bundle with `total` and `self`/`next`/`previous` links.\n\n"
        "- `patient`: `Patient/<id>` or `<id>` (the FHIR id of the Patient resource); "
        "without it, a citizen searches their own record. A patient the caller may not see "
        "is answered `404`, exactly as a patient that does not exist — never an empty "
        "searchset, which would tell that the record exists.\n"
        "- `code`, `category`: token `code` or `system|code`, commas for alternatives.\n"
        "- `date`: the clinical date, with prefix `eq` (default), `ge`, `le`, `gt`, `lt`; "
        "repeat for a range (`date=ge2015-01-01&date=lt2016-01-01`).\n"
        "- `_count` (default 50, at most 1000) and `_offset` page through the results."
    ),
    tags=["FHIR"],
)
def search(
    request,
    resource_type: str,
    patient: Annotated[str | None, Query(description="Patient/<id> or <id>")] = None,
    code: Annotated[list[str] | None, Query(description="code or system|code, comma = OR")] = None,
    date: Annotated[list[str] | None, Query(description="e.g. ge2015-01-01 (repeatable)")] = None,
    category: Annotated[
        list[str] | None, Query(description="code or system|code, comma = OR")
    ] = None,
    count: Annotated[
        int,
        Query(
            alias="_count",
            ge=0,
            le=MAX_INTEGER,
            description="page size (at most 1000 are returned)",
        ),
    ] = DEFAULT_COUNT,
    offset: Annotated[
        int, Query(alias="_offset", ge=0, le=MAX_INTEGER, description="index of the first result")
    ] = 0,
):
    _check_type(resource_type)
    if resource_type in fhir.SHARED_TYPES:
        raise FhirError(400, "not-supported", f"{resource_type} is directory data: read it by id")
    _check_scope(request, resource_type, "search")
    actor = _actor(request)
    count = min(count, services.MAX_PAGE)
    codes, categories = _tokens(code, "code"), _tokens(category, "category")
    dates = parse_dates(date or [])
    pid = _patient_id_from_param(request, actor, patient)
    page = services.search(
        actor,
        pid,
        resource_type,
        services.self_purpose(actor, pid),
        code=codes,
        category=categories,
        dates=dates,
        count=count,
        offset=offset,
    )
    params: list[tuple[str, str]] = []
    if patient:
        params.append(("patient", patient))
    params += [("code", c) for c in code or []]
    params += [("category", c) for c in category or []]
    params += [("date", d) for d in date or []]
    links = [{"relation": "self", "url": _page_url(request, params, offset, count)}]
    if count and offset + count < page.total:
        links.append({"relation": "next", "url": _page_url(request, params, offset + count, count)})
    if offset > 0 and count:
        prev = max(0, offset - count)
        links.append({"relation": "previous", "url": _page_url(request, params, prev, count)})
    base = _base(request)
    body = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": page.total,
        "link": links,
        "entry": [_entry(base, r) for r in page.resources],
    }
    return fhir_response(body)


# --- Read and history ------------------------------------------------------------------------


@api.get(
    f"{BASE}/{{resource_type}}/{{resource_id}}",
    response={200: Resource, **ERRORS},
    summary="Read a resource",
    description=(
        "The current version of a resource. `404` (the same OperationOutcome) when it does "
        "not exist and when it belongs to a record the caller may not see. Directory data "
        "(Practitioner, Organization…) is readable by any authenticated caller."
    ),
    tags=["FHIR"],
)
def read(request, resource_type: str, resource_id: str):
    _check_type(resource_type)
    _check_scope(request, resource_type, "read")
    if not fhir.ID_RE.match(resource_id):
        raise NotFound()
    actor = _actor(request)
    purpose = _purpose_for(actor, resource_type, resource_id)
    resource = services.read(actor, resource_type, resource_id, purpose)
    headers = {}
    version = (resource.get("meta") or {}).get("versionId")
    if version:
        headers["ETag"] = f'W/"{version}"'
    return fhir_response(resource, **headers)


@api.get(
    f"{BASE}/{{resource_type}}/{{resource_id}}/_history",
    response={200: Bundle, **ERRORS},
    summary="History of a resource",
    description=(
        "Every version of a resource, newest first, as a `history` Bundle. `404` as for a read."
    ),
    tags=["FHIR"],
)
def history(request, resource_type: str, resource_id: str):
    _check_type(resource_type)
    if resource_type in fhir.SHARED_TYPES or not fhir.ID_RE.match(resource_id):
        raise NotFound()
    _check_scope(request, resource_type, "read")
    actor = _actor(request)
    purpose = _purpose_for(actor, resource_type, resource_id)
    versions = services.history(actor, resource_type, resource_id, purpose)
    base = _base(request)
    entries = []
    for res in versions:
        v = (res.get("meta") or {}).get("versionId", "1")
        entries.append(
            {
                "fullUrl": f"{base}/{resource_type}/{resource_id}",
                "resource": res,
                "request": {
                    "method": "POST" if v == "1" else "PUT",
                    "url": resource_type if v == "1" else f"{resource_type}/{resource_id}",
                },
                "response": {
                    "status": "201 Created" if v == "1" else "200 OK",
                    "etag": f'W/"{v}"',
                    "lastModified": (res.get("meta") or {}).get("lastUpdated"),
                },
            }
        )
    body = {
        "resourceType": "Bundle",
        "type": "history",
        "total": len(entries),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": entries,
    }
    return fhir_response(body)


# --- Everything else under /fhir/R4: an OperationOutcome, never an HTML page ------------------

OTHER_METHODS = ["PUT", "PATCH", "DELETE"]


def _unsupported(request) -> HttpResponse:
    return outcome(
        405, "not-supported", f"{request.method} {request.path} is not supported by this server"
    )


def _unsupported_on_type(request, resource_type: str):
    return _unsupported(request)


def _unsupported_on_resource(request, resource_type: str, resource_id: str):
    return _unsupported(request)


def _unsupported_on_patient(request, patient_id: str):
    return _unsupported(request)


_not_allowed = api.api_operation  # registered for documentation-free 405 answers
_not_allowed(OTHER_METHODS, f"{BASE}/metadata", auth=None, include_in_schema=False)(_unsupported)
_not_allowed(OTHER_METHODS + ["GET"], BASE, include_in_schema=False)(_unsupported)
_not_allowed(OTHER_METHODS, f"{BASE}/Patient/{{patient_id}}/$everything", include_in_schema=False)(
    _unsupported_on_patient
)
_not_allowed(OTHER_METHODS + ["POST"], f"{BASE}/{{resource_type}}", include_in_schema=False)(
    _unsupported_on_type
)
for _path in (
    f"{BASE}/{{resource_type}}/{{resource_id}}",
    f"{BASE}/{{resource_type}}/{{resource_id}}/_history",
):
    _not_allowed(OTHER_METHODS + ["POST"], _path, include_in_schema=False)(_unsupported_on_resource)


@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], f"{BASE}/{{path:rest}}", include_in_schema=False
)
def _unknown(request, rest: str):
    return outcome(404, "not-supported", f"{request.path} is not a FHIR endpoint of this server")
