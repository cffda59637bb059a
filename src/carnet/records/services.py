"""Reading and writing a person's record. Every function asks ``access`` first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from carnet.access import labels as access_labels
from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound

from . import fhir, store
from .models import ResourceVersion, Source

MAX_PAGE = 1000


@dataclass
class Page:
    total: int
    resources: list[dict]
    offset: int
    count: int


def read(actor: Actor, resource_type: str, fhir_id: str, purpose: str) -> dict:
    """One resource by id; NotFound when it does not exist or the actor may not see it."""
    if resource_type in fhir.SHARED_TYPES:
        found = store.shared(resource_type, [fhir_id])
        if not found:
            raise NotFound()
        return found[0]
    row = store.locate(resource_type, fhir_id)
    if row is None:
        raise NotFound()
    # The item's labels come from its blind tokens and masks, not from its plaintext:
    # nothing is decrypted before access permits.
    permit = access.require(
        actor,
        row.patient_id,
        Action.READ,
        purpose,
        labels=store.labels_of(row.patient_id, resource_type, fhir_id),
        resource_type=resource_type,
        count=1,
        what=f"{resource_type}/{fhir_id}",
    )
    if row.deleted:
        raise NotFound()
    full = ResourceVersion.objects.get(pk=row.pk)
    return store.open_rows(permit, row.patient_id, [full])[0]


def owner_patient_of(resource_type: str, fhir_id: str) -> int | None:
    row = store.locate(resource_type, fhir_id)
    return row.patient_id if row else None


def search(
    actor: Actor,
    patient_id: int,
    resource_type: str,
    purpose: str,
    *,
    code: list[str] | None = None,
    category: list[str] | None = None,
    dates: list[tuple[str, object]] | None = None,
    count: int = 50,
    offset: int = 0,
) -> Page:
    """Current resources of one type, newest first, filtered by blind-indexed codes and dates."""
    fhir.model_class(resource_type)
    count = max(0, min(count, MAX_PAGE))
    permit = access.require(
        actor, patient_id, Action.SEARCH, purpose, resource_type=resource_type, what=resource_type
    )
    # Filtered before counting: the total never includes what the actor may not see.
    qs = store.restrict(store.current_rows(patient_id, resource_type), patient_id, permit.view)
    if code:
        qs = qs.filter(store.token_filter(patient_id, resource_type, "code", code))
    if category:
        qs = qs.filter(store.token_filter(patient_id, resource_type, "category", category))
    for op, value in dates or []:
        qs = qs.filter(**{f"clinical_date__{op}": value})
    total = qs.count()
    rows = list(qs.order_by("-clinical_date", "fhir_id")[offset : offset + count])
    return Page(
        total=total, resources=store.open_rows(permit, patient_id, rows), offset=offset, count=count
    )


def everything(actor: Actor, patient_id: int, purpose: str) -> list[dict]:
    """The whole current record plus the practitioners and organisations it refers to."""
    permit = access.require(actor, patient_id, Action.READ, purpose, what="$everything")
    return whole_record(permit, patient_id)


def whole_record(permit, patient_id: int) -> list[dict]:
    """Every current resource of the record, then the directory data they name (permit needed)."""
    refs: set[tuple[str, str]] = set()
    rows = store.restrict(store.current_rows(patient_id), patient_id, permit.view).order_by(
        "resource_type", "fhir_id"
    )
    resources = store.open_rows(permit, patient_id, rows, shared_refs=refs)
    return resources + shared_for(refs)


def shared_for(refs: set[tuple[str, str]]) -> list[dict]:
    by_type: dict[str, set[str]] = {}
    for t, i in refs:
        by_type.setdefault(t, set()).add(i)
    out = []
    for t in sorted(by_type):
        out.extend(sorted(store.shared(t, by_type[t]), key=lambda r: r["id"]))
    return out


def history(actor: Actor, resource_type: str, fhir_id: str, purpose: str) -> list[dict]:
    """Every version of a resource, newest first.

    Anyone but the person (and operators) gets the current version only: labels are
    indexed for the current version, so a superseded version that was sensitive or
    masked before an edit cannot be judged, and is not shown.
    """
    row = store.locate(resource_type, fhir_id)
    if row is None:
        raise NotFound()
    permit = access.require(
        actor,
        row.patient_id,
        Action.READ,
        purpose,
        labels=store.labels_of(row.patient_id, resource_type, fhir_id),
        resource_type=resource_type,
        what=f"{resource_type}/{fhir_id}/_history",
    )
    rows = ResourceVersion.objects.filter(
        patient_id=row.patient_id, resource_type=resource_type, fhir_id=fhir_id
    ).order_by("-version")
    if not permit.view.all:
        rows = rows.filter(is_current=True, deleted=False)
    return store.open_rows(permit, row.patient_id, rows)


def count_by_type(actor: Actor, patient_id: int, purpose: str) -> dict[str, int]:
    permit = access.require(actor, patient_id, Action.SEARCH, purpose, what="summary")
    from django.db.models import Count

    qs = store.restrict(store.current_rows(patient_id), patient_id, permit.view)
    qs = qs.values("resource_type").annotate(n=Count("id"))
    return {r["resource_type"]: r["n"] for r in qs}


def _source_for(actor: Actor) -> str:
    return Source.PRACTITIONER if actor.role == "practitioner" else Source.SELF


def create(
    actor: Actor, patient_id: int, resource: dict, purpose: str, *, source: str | None = None
) -> dict:
    """Add a new resource to the record (validated, encrypted, audited in one transaction)."""
    fhir.validate(resource)
    if resource["resourceType"] in fhir.SHARED_TYPES:
        raise fhir.InvalidResource(
            f"{resource['resourceType']} is directory data, not part of a record"
        )
    resource = {**resource, "id": store.new_id()}
    # A practitioner may only add items their grant covers (scope and level).
    permit = access.require(
        actor,
        patient_id,
        Action.CREATE,
        purpose,
        audit_now=False,
        labels=tuple(access_labels.of_resource(resource)),
    )
    _check_references(patient_id, resource)
    with transaction.atomic():
        store.write_new(
            patient_id,
            [resource],
            source=source or _source_for(actor),
            recorded_by_id=actor.user_id,
            provenance={"by": actor.label, "role": actor.role},
        )
        access.record(
            actor,
            patient_id,
            Action.CREATE,
            purpose,
            permit,
            resource_type=resource["resourceType"],
            count=1,
            what=f"{resource['resourceType']}/{resource['id']}",
        )
    return read(actor, resource["resourceType"], resource["id"], purpose)


def update(actor: Actor, resource: dict, purpose: str) -> dict:
    """Write a new version of an existing resource; the old one stays in its history."""
    fhir.validate(resource)
    rtype, rid = resource["resourceType"], resource.get("id") or ""
    row = store.locate(rtype, rid)
    if row is None or row.deleted:
        raise NotFound()
    # Both the item as stored and as it would become must be within the actor's view.
    labels = set(store.labels_of(row.patient_id, rtype, rid))
    labels |= set(access_labels.of_resource(resource))
    permit = access.require(
        actor, row.patient_id, Action.UPDATE, purpose, audit_now=False, labels=tuple(labels)
    )
    _check_references(row.patient_id, resource)
    with transaction.atomic():
        store.write_version(
            row.patient_id,
            resource,
            source=_source_for(actor),
            recorded_by_id=actor.user_id,
            provenance={"by": actor.label, "role": actor.role},
        )
        access.record(
            actor,
            row.patient_id,
            Action.UPDATE,
            purpose,
            permit,
            resource_type=rtype,
            count=1,
            what=f"{rtype}/{rid}",
        )
    return read(actor, rtype, rid, purpose)


def _check_references(patient_id: int, resource: dict) -> None:
    refs = set()
    for node, _ in fhir.iter_references(resource):
        ref = node["reference"]
        t, _, i = ref.partition("/")
        if ref.startswith("#") or "://" in ref:
            continue
        if not i or "/" in i:
            raise fhir.InvalidResource(f"reference {ref!r} is not of the form Type/id")
        refs.add((t, i))
    missing = refs - store.existing_ids(patient_id, refs)
    if missing:
        t, i = sorted(missing)[0]
        raise fhir.InvalidResource(f"reference {t}/{i} points to nothing in this record")


def self_purpose(actor: Actor, patient_id: int) -> str:
    """The purpose an actor reads a record for (own, proxy, emergency, care): see access."""
    return access.purpose_for(actor, patient_id)
