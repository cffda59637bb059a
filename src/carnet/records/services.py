"""Reading and writing a person's record. Every function asks ``access`` first."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from carnet.access import labels as access_labels
from carnet.access import proxies
from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit
from carnet.vault import sealed
from carnet.vault.services import UNKNOWN_RECORD

from . import fhir, identity, store, words
from . import search as fulltext
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
    return read_with_permit(actor, resource_type, fhir_id, purpose)[1]


def read_with_permit(
    actor: Actor, resource_type: str, fhir_id: str, purpose: str
) -> tuple[Permit | None, dict]:
    """``read``, with the permit it was read under (None for shared directory data)."""
    if resource_type in fhir.SHARED_TYPES:
        found = store.shared(resource_type, [fhir_id])
        if not found:
            raise NotFound()
        return None, found[0]
    row = store.locate(resource_type, fhir_id)
    # The item's labels come from its blind tokens and masks, not from its plaintext:
    # nothing is decrypted before access permits. An id that exists nowhere is decided and
    # audited the same way, on the unknown record: a refusal and a miss cost the same.
    patient_id = row.patient_id if row is not None else UNKNOWN_RECORD
    permit = access.require(
        actor,
        patient_id,
        Action.READ,
        purpose,
        labels=store.labels_of(patient_id, resource_type, fhir_id),
        resource_type=resource_type,
        count=1,
        what=f"{resource_type}/{fhir_id}",
    )
    if row is None or row.deleted:
        raise NotFound()
    full = ResourceVersion.objects.get(pk=row.pk)
    return permit, store.open_rows(permit, [full])[0]


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
    audited = {"resource_type": resource_type, "what": resource_type}
    permit = access.require(actor, patient_id, Action.SEARCH, purpose, audit_now=False, **audited)
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
    opened = store.open_rows(
        permit,
        rows,
        before_open=access.on_open(actor, patient_id, Action.SEARCH, purpose, permit, **audited),
    )
    return Page(total=total, resources=opened, offset=offset, count=count)


MAX_LINKED = 500


def linked(
    actor: Actor,
    patient_id: int,
    purpose: str,
    *,
    refs: list[str] = (),
    encounter: str | None = None,
) -> list[dict]:
    """Items of a record that another item points to or that point to it, under one permit
    (one audit entry): ``refs`` (« Observation/<id> »: a report's results) and the items
    recorded in the visit ``encounter`` (« Encounter/<id> », found by their blind token).
    Only what the actor may see, newest first; an item missing from the record is left out.
    """
    pairs = {tuple(str(r).split("/", 1)) for r in refs if str(r).count("/") == 1}
    pairs = {(t, i) for t, i in pairs if t and i}
    if not pairs and not encounter:
        return []
    permit = access.require(
        actor, patient_id, Action.READ, purpose, audit_now=False, what="linked items"
    )
    qs = store.restrict(store.current_rows(patient_id), patient_id, permit.view)
    where = Q(pk__in=[])
    for rtype in {t for t, _i in pairs}:
        where |= Q(resource_type=rtype, fhir_id__in=sorted(i for t, i in pairs if t == rtype))
    if encounter:
        where |= store.param_filter(patient_id, "encounter", encounter)
    qs = qs.filter(where).order_by("-clinical_date", "resource_type", "fhir_id")[:MAX_LINKED]
    audit = access.on_open(actor, patient_id, Action.READ, purpose, permit, what="linked items")
    return store.open_rows(permit, list(qs), before_open=audit)


def everything(actor: Actor, patient_id: int, purpose: str) -> list[dict]:
    """The whole current record plus the practitioners and organisations it refers to."""
    permit = access.require(
        actor, patient_id, Action.READ, purpose, audit_now=False, what="$everything"
    )
    audit = access.on_open(actor, patient_id, Action.READ, purpose, permit, what="$everything")
    return whole_record(permit, before_open=audit)


def whole_record(permit: Permit, before_open=None) -> list[dict]:
    """Every current resource of the permit's record, then the directory data they name
    (``before_open``: see ``store.open_rows``)."""
    patient_id = sealed.patient_of(permit)
    refs: set[tuple[str, str]] = set()
    rows = store.restrict(store.current_rows(patient_id), patient_id, permit.view).order_by(
        "resource_type", "fhir_id"
    )
    resources = store.open_rows(permit, rows, shared_refs=refs, before_open=before_open)
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
    patient_id = row.patient_id if row is not None else UNKNOWN_RECORD  # as ``read``
    permit = access.require(
        actor,
        patient_id,
        Action.READ,
        purpose,
        labels=store.labels_of(patient_id, resource_type, fhir_id),
        resource_type=resource_type,
        what=f"{resource_type}/{fhir_id}/_history",
    )
    if row is None:
        raise NotFound()
    rows = ResourceVersion.objects.filter(
        patient_id=row.patient_id, resource_type=resource_type, fhir_id=fhir_id
    ).order_by("-version")
    if not permit.view.all:
        rows = rows.filter(is_current=True, deleted=False)
    return store.open_rows(permit, rows)


def count_by_type(actor: Actor, patient_id: int, purpose: str) -> dict[str, int]:
    permit = access.require(actor, patient_id, Action.SEARCH, purpose, what="summary")
    from django.db.models import Count

    qs = store.restrict(store.current_rows(patient_id), patient_id, permit.view)
    qs = qs.values("resource_type").annotate(n=Count("id"))
    return {r["resource_type"]: r["n"] for r in qs}


def _source_for(actor: Actor) -> str:
    return Source.PRACTITIONER if actor.role == "practitioner" else Source.SELF


def create(
    actor: Actor,
    patient_id: int,
    resource: dict,
    purpose: str,
    *,
    source: str | None = None,
    provenance: dict | None = None,
) -> dict:
    """Add a new resource to the record (validated, encrypted, audited in one transaction).

    ``provenance``: more details kept (encrypted) with who recorded it, e.g. the
    profession of the practitioner who added it.
    """
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
            provenance={**(provenance or {}), "by": actor.label, "role": actor.role},
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


# --- The Dossier's reading pages: timeline, search, provenance, revisions ---------------------

# Not items of the timeline: the person's identity card and the technical trail.
NOT_LISTED = ("Patient", "Provenance", "AuditEvent", "Binary")
PRACTITIONER_CANDIDATES = 2000


@dataclass
class Listing:
    """One page of a record's items, newest first, already filtered by the permit's view."""

    total: int
    resources: list[dict]
    page: int
    per_page: int
    # Practitioners and organisations the page's items name: "Practitioner/<id>" -> resource.
    shared: dict[str, dict]
    # Practitioners found in the visible items (for the filter): [(id, resource)].
    practitioners: list[tuple[str, dict]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1


def _listing(permit, qs, page: int, per_page: int, practitioners=(), before_open=None) -> Listing:
    from django.db.models import F

    per_page = max(1, min(per_page, 200))
    total = qs.count()
    page = max(1, min(page, max(1, -(-total // per_page))))
    start = (page - 1) * per_page
    rows = qs.order_by(F("clinical_date").desc(nulls_last=True), "-recorded_at", "fhir_id")[
        start : start + per_page
    ]
    refs: set[tuple[str, str]] = set()
    resources = store.open_rows(permit, rows, shared_refs=refs, before_open=before_open)
    shared = {f"{r['resourceType']}/{r['id']}": r for r in shared_for(refs)}
    return Listing(total, resources, page, per_page, shared, list(practitioners))


def timeline(
    actor: Actor,
    patient_id: int,
    purpose: str,
    *,
    categories: list[str] | None = None,
    since=None,
    until=None,
    practitioner: str | None = None,
    page: int = 1,
    per_page: int = 30,
) -> Listing:
    """Every item of the record the actor may see, newest first (the store's clinical date).

    ``categories`` are ``access.labels`` categories (matched by their blind label tokens,
    so that vital signs and lab results part as they do for sharing); without them,
    billing (the "administrative" category) is left out. ``practitioner`` is the id of a
    shared Practitioner: the items they performed, requested or recorded, and the items of
    their encounters. Paged on indexed columns; only the page is decrypted.
    """
    permit = access.require(
        actor, patient_id, Action.SEARCH, purpose, audit_now=False, what="timeline"
    )
    visible = store.restrict(store.current_rows(patient_id), patient_id, permit.view).exclude(
        resource_type__in=NOT_LISTED
    )
    qs = visible
    if categories:
        qs = qs.filter(store.label_filter(patient_id, [f"scope:{c}" for c in categories]))
    else:
        qs = qs.exclude(store.label_filter(patient_id, ["scope:administrative"]))
    if since is not None:
        qs = qs.filter(clinical_date__gte=since)
    if until is not None:
        qs = qs.filter(clinical_date__lt=until)
    if practitioner:
        qs = qs.filter(store.who_filter(patient_id, f"Practitioner/{practitioner}"))
    people = store.practitioners_named(patient_id, visible, limit=PRACTITIONER_CANDIDATES)
    audit = access.on_open(actor, patient_id, Action.SEARCH, purpose, permit, what="timeline")
    return _listing(permit, qs, page, per_page, people, before_open=audit)


def search_text(
    actor: Actor, patient_id: int, purpose: str, query: str, *, page: int = 1, per_page: int = 30
) -> Listing:
    """Items whose text holds every word of ``query`` (accents, case ignored; word starts).

    Matched on blind word tokens in SQL, within what the permit's view shows: a masked
    item is never found, and never counted. The query itself is not audited (it is health
    data): the entry says a search was made, not what for.
    """
    permit = access.require(
        actor, patient_id, Action.SEARCH, purpose, audit_now=False, what="text search"
    )
    terms = fulltext.query_terms(query)
    qs = store.restrict(store.current_rows(patient_id), patient_id, permit.view).exclude(
        resource_type__in=NOT_LISTED
    )
    if not terms:
        qs = qs.none()
    for term in terms:
        qs = qs.filter(store.word_filter(patient_id, term))
    audit = access.on_open(actor, patient_id, Action.SEARCH, purpose, permit, what="text search")
    return _listing(permit, qs, page, per_page, before_open=audit)


@dataclass
class Version:
    """One version of an item: what it said, when, from whom (provenance, decrypted)."""

    version: int
    recorded_at: object
    source: str
    recorded_by_id: int | None
    details: dict
    resource: dict
    deleted: bool = False


def locate_in(patient_id: int, fhir_id: str):
    """The current row of an item of this record (type found from the id), or None."""
    return store.locate_in(patient_id, fhir_id)


def provenance(actor: Actor, patient_id: int, fhir_id: str, purpose: str) -> list[Version]:
    """An item's versions, newest first, each with who recorded it, how and when.

    The person (and operators) see every version; anyone else sees the current one only
    (as ``history``). NotFound when the item is not in this record or not visible.
    """
    row = store.locate_in(patient_id, fhir_id)
    # An id this record does not hold is decided and audited the same way, on the unknown
    # record: a refused item and a missing one cost the same (see ``read``).
    target = patient_id if row is not None else UNKNOWN_RECORD
    rtype = row.resource_type if row is not None else ""
    permit = access.require(
        actor,
        target,
        Action.READ,
        purpose,
        labels=store.labels_of(target, rtype, fhir_id),
        resource_type=rtype,
        count=1,
        what=f"{rtype}/{fhir_id}/_history",
    )
    if row is None or row.deleted:
        raise NotFound()
    rows = list(
        ResourceVersion.objects.filter(
            patient_id=patient_id, resource_type=rtype, fhir_id=fhir_id
        ).order_by("-version")
    )
    if not permit.view.all:
        rows = [r for r in rows if r.is_current and not r.deleted]
    resources = store.open_rows(permit, rows)
    return [
        Version(
            version=r.version,
            recorded_at=r.recorded_at,
            source=r.source,
            recorded_by_id=r.recorded_by_id,
            details=store.open_provenance(permit, r),
            resource=res,
            deleted=r.deleted,
        )
        for r, res in zip(rows, resources, strict=True)
    ]


class NotYours(PermissionError):
    """Only the person's own entries can be corrected (others' can be annotated)."""


def revise(
    actor: Actor,
    patient_id: int,
    fhir_id: str,
    purpose: str,
    change,
    *,
    own_entries_only: bool = False,
) -> dict:
    """Write a new version of an item: ``change(resource) -> resource``; history is kept.

    Asks ``access`` for UPDATE on the item as stored and as it becomes; the change is
    validated before anything is written. ``own_entries_only``: refuse (NotYours) unless
    the item was first entered by the person themself (not imported, not a practitioner's).
    """
    row = store.locate_in(patient_id, fhir_id)
    if row is None or row.deleted:
        raise NotFound()
    rtype = row.resource_type
    labels = store.labels_of(patient_id, rtype, fhir_id)
    permit = access.require(
        actor, patient_id, Action.UPDATE, purpose, audit_now=False, labels=labels
    )
    if own_entries_only and store.first_source(patient_id, rtype, fhir_id) != Source.SELF:
        raise NotYours()
    current = store.open_rows(permit, [ResourceVersion.objects.get(pk=row.pk)])[0]
    revised = change(orjson.loads(orjson.dumps(current)))
    revised["resourceType"], revised["id"] = rtype, fhir_id
    fhir.validate(revised)
    # The item as it becomes must stay within the actor's view too.
    new_labels = set(labels) | set(access_labels.of_resource(revised))
    permit = access.require(
        actor, patient_id, Action.UPDATE, purpose, audit_now=False, labels=tuple(new_labels)
    )
    _check_references(patient_id, revised)
    with transaction.atomic():
        store.write_version(
            patient_id,
            revised,
            source=_source_for(actor),
            recorded_by_id=actor.user_id,
            provenance={"by": actor.label, "role": actor.role, "revision": True},
        )
        access.record(
            actor,
            patient_id,
            Action.UPDATE,
            purpose,
            permit,
            resource_type=rtype,
            count=1,
            what=f"{rtype}/{fhir_id}",
        )
    return revised


def reindex(actor: Actor, patient_id: int, purpose: str) -> int:
    """Rebuild the blind search tokens of a record (operators, after an upgrade)."""
    permit = access.require(actor, patient_id, Action.READ, purpose, what="search index rebuilt")
    return store.reindex(permit)


def holding(resource_type: str):
    """Ids of the records that hold a current item of this type, from the clear resource
    type alone (nothing decrypted, nothing to audit): for jobs that only concern them."""
    return store.current_rows_of_type(resource_type)


def name_on_record(permit: Permit) -> str:
    """The person's name as the record's Patient card writes it ("" when it has none), under
    a permit the caller already holds: the page that shows it audits its own read."""
    person = identity.record_person(permit)
    return person.name if person is not None else ""


def represented_patient(user, info: proxies.ProxyInfo) -> dict:
    """The Patient resource of a child, read through the parent's proxy ({} when none)."""
    try:
        page = search(
            Actor.of_user(user), info.patient_id, "Patient", access.Purpose.PROXY, count=1
        )
    except NotFound:
        return {}
    return page.resources[0] if page and page.resources else {}


def represented_name(user, info: proxies.ProxyInfo, patient: dict | None = None) -> str:
    """How a person this user acts for is called: their account name, or a child's name
    from their record (``patient``, when the caller has already read it)."""
    if info.basis != "parent":
        return access._owner_label(info.patient_id)
    patient = represented_patient(user, info) if patient is None else patient
    return (words.person_name(patient) if patient else "") or gettext("My child")
