"""The encrypted, versioned FHIR resource store (private to ``records``).

``records.services`` asks ``access`` first and passes the permit along; what decrypts here
takes nothing but that permit, and the patient from it (a row of another patient refuses).
Every plaintext comes out of ``_open``.
"""

from __future__ import annotations

import gc
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q, QuerySet
from django.utils import timezone

from carnet.access import labels as access_labels
from carnet.access import masks as access_masks
from carnet.access.policy import Permit, View
from carnet.vault import sealed
from carnet.vault import services as vault

from . import fhir, search
from .models import ResourceVersion, SearchToken, SharedResource

BATCH = 500
GC_PAUSE_ROWS = 50  # see open_rows
# A staged import (records.import_staging) writes smaller batches, and on SQLite after each
# one leaves the database's single write lock free for as long as it held it (at most
# STAGED_PAUSE_MAX seconds), so that other people's writes, which poll for it, get their turn.
# PostgreSQL locks rows, not the database: no pause there.
STAGED_BATCH = 250
STAGED_PAUSE = 1.0
STAGED_PAUSE_MAX = 0.1


def new_id() -> str:
    return str(uuid.uuid4())


def _context(resource_type: str, fhir_id: str, version: int) -> str:
    return f"{resource_type}/{fhir_id}/_history/{version}"


def _dumps(obj: object) -> bytes:
    return orjson.dumps(obj)  # compact UTF-8 JSON; refuses NaN/Infinity and out-of-range integers


@dataclass
class NewVersion:
    """A resource ready to be written: already validated and with references resolved."""

    resource: dict
    provenance: dict = field(default_factory=dict)


def _row(
    cipher: vault.Cipher,
    resource: dict,
    version: int,
    source: str,
    recorded_by_id: int | None,
    provenance: dict,
    now: datetime,
) -> ResourceVersion:
    rtype, rid = resource["resourceType"], resource["id"]
    body = {k: v for k, v in resource.items() if k != "meta"}
    meta = {
        k: v
        for k, v in (resource.get("meta") or {}).items()
        if k not in ("versionId", "lastUpdated")
    }
    if meta:
        body["meta"] = meta
    ctx = _context(rtype, rid, version)
    return ResourceVersion(
        patient_id=cipher.patient_id,
        resource_type=rtype,
        fhir_id=rid,
        version=version,
        is_current=True,
        deleted=False,
        recorded_at=now,
        clinical_date=fhir.clinical_date(resource),
        source=source,
        recorded_by_id=recorded_by_id,
        payload=cipher.encrypt(_dumps(body), ctx),
        provenance=cipher.encrypt(_dumps(provenance), ctx + "/provenance"),
    )


LABEL = "label"
# Every item gets at least this many label tokens, padded with random ones, so that the
# number of label rows does not tell which items carry a sensitivity category.
LABEL_PAD = 4


class _Indexer:
    """Blind tokens of the items being written, with one HMAC per distinct term.

    An import repeats the same words and codes thousands of times; the cache keeps the
    cost of the word index to one HMAC per distinct term of the batch.
    """

    def __init__(self, cipher: vault.Cipher):
        self.cipher = cipher
        self._cache: dict[str, str] = {}
        self._names: dict[str, list[str]] = {}

    def names(self, ref: str) -> list[str]:
        """The words of a shared practitioner's name (public directory data), once per batch."""
        found = self._names.get(ref)
        if found is None:
            rtype, _, fid = ref.partition("/")
            body = (
                SharedResource.objects.filter(resource_type=rtype, fhir_id=fid)
                .values_list("body", flat=True)
                .first()
            )
            found = self._names[ref] = search.words_of_name(body) if body else []
        return found

    def token(self, value: str) -> str:
        found = self._cache.get(value)
        if found is None:
            found = self._cache[value] = self.cipher.blind_index(value)
        return found

    def rows(
        self, resource: dict, who: Iterable[str] = (), who_tokens: Iterable[str] = ()
    ) -> list[tuple]:
        """(patient_id, type, id, param, token) rows: codes, labels, words and who took part.

        ``who``: more practitioner references (of the item's encounter); ``who_tokens``:
        their tokens when they are already HMACs (copied from a stored encounter).
        """
        rtype, rid, pid = resource["resourceType"], resource["id"], self.cipher.patient_id
        token = self.token
        out = [
            (pid, rtype, rid, param, token(value)) for param, value in fhir.search_terms(resource)
        ]
        label_tokens = [token(v) for v in access_labels.of_resource(resource)]
        while len(label_tokens) < LABEL_PAD:
            label_tokens.append(secrets.token_hex(16))  # same shape as an HMAC token
        out += [(pid, rtype, rid, LABEL, t) for t in label_tokens]
        direct = search.who_refs(resource)
        words = search.words_of(resource)
        for ref in sorted(direct) if rtype not in search.UNINDEXED_TYPES else ():
            words += self.names(ref)  # "Garonne" finds what Dr Garonne did
        out += [(pid, rtype, rid, search.WORD, token(term)) for term in search.index_terms(words)]
        people = {token(ref) for ref in direct | set(who)} | set(who_tokens)
        out += [(pid, rtype, rid, search.WHO, t) for t in sorted(people)]
        return out


_TOKEN_COLUMNS = ("patient_id", "resource_type", "fhir_id", "param", "token")


def _insert_tokens(rows: list[tuple]) -> None:
    """Insert token rows in one statement per batch (no model instances: it is the hot
    path of every import, with a few dozen rows per item)."""
    if not rows:
        return
    table = connection.ops.quote_name(SearchToken._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in _TOKEN_COLUMNS)
    sql = f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608 - constant names
    # In index order: neighbouring inserts touch the same pages of the token indexes.
    rows.sort(key=lambda r: (r[3], r[4]))
    with connection.cursor() as cur:
        cur.executemany(sql, rows)


def _encounter_people(resources: list[dict]) -> dict[str, set[str]]:
    """Who took part in each encounter of a batch: its items are theirs too."""
    out: dict[str, set[str]] = {}
    for r in resources:
        if r.get("resourceType") == "Encounter":
            people = search.who_refs(r)
            if people:
                out[f"Encounter/{r['id']}"] = people
    return out


def write_new(
    patient_id: int,
    resources: Iterable[dict],
    *,
    source: str,
    recorded_by_id: int | None,
    provenance: dict,
    progress: Callable[[int], object] | None = None,
    item_provenance: dict[str, dict] | None = None,
    staged_import: int | None = None,
    on_batch: Callable[[], None] | None = None,
) -> int:
    """Insert first versions of new resources (ids already assigned).

    ``item_provenance``: more provenance for some items, by id (an import's warnings).

    Without ``staged_import`` the caller holds the transaction. With it, the rows are
    written not current, tagged with the import's id, each batch in a short transaction of
    its own (encryption and indexing are done before it starts; ``on_batch`` runs inside
    it): nothing reads them until ``import_staging.commit`` makes them current.
    """
    cipher = vault.cipher(patient_id)
    indexer = _Indexer(cipher)
    resources = list(resources)
    encounters = _encounter_people(resources)
    now = timezone.now()
    rows: list[ResourceVersion] = []
    tokens: list[tuple] = []
    written = 0

    def flush() -> None:
        if staged_import is None:
            ResourceVersion.objects.bulk_create(rows)
            _insert_tokens(tokens)
            return
        for row in rows:
            row.is_current, row.staged_import = False, staged_import
        started = time.monotonic()
        with transaction.atomic():
            ResourceVersion.objects.bulk_create(rows)
            _insert_tokens(tokens)
            if on_batch:
                on_batch()
        if STAGED_PAUSE and connection.vendor == "sqlite" and not connection.in_atomic_block:
            time.sleep(min(STAGED_PAUSE_MAX, (time.monotonic() - started) * STAGED_PAUSE))

    for resource in resources:
        extra = item_provenance.get(resource["id"]) if item_provenance else None
        prov = {**provenance, **extra} if extra else provenance
        rows.append(_row(cipher, resource, 1, source, recorded_by_id, prov, now))
        enc = search.encounter_ref(resource)
        if enc and enc not in encounters:
            tokens.extend(indexer.rows(resource, who_tokens=_who_of_encounter(patient_id, enc)))
        else:
            tokens.extend(indexer.rows(resource, encounters.get(enc, ()) if enc else ()))
        if len(rows) >= (BATCH if staged_import is None else STAGED_BATCH):
            flush()
            written += len(rows)
            rows, tokens = [], []
            if progress:
                progress(written)
    if rows:
        flush()
        written += len(rows)
        if progress:
            progress(written)
    return written


def reindex(permit: Permit) -> int:
    """Rebuild every search token of a record from its current items; returns how many.

    For records written before a change of what is indexed (new words, labels): the
    tokens are derived data, so they are deleted and written again in one transaction.
    """
    patient_id = sealed.patient_of(permit)
    resources = open_rows(permit, current_rows(patient_id).order_by("pk"))
    encounters = _encounter_people(resources)
    indexer = _Indexer(vault.cipher(patient_id))
    with transaction.atomic():
        SearchToken.objects.filter(patient_id=patient_id).delete()
        for start in range(0, len(resources), BATCH):
            tokens = []
            for resource in resources[start : start + BATCH]:
                enc = search.encounter_ref(resource)
                tokens.extend(indexer.rows(resource, encounters.get(enc, ()) if enc else ()))
            _insert_tokens(tokens)
    return len(resources)


def _who_of_encounter(patient_id: int, ref: str) -> list[str]:
    """The ``who`` tokens of an encounter already stored (as tokens: nothing decrypted)."""
    _t, _, eid = ref.partition("/")
    return list(
        SearchToken.objects.filter(
            patient_id=patient_id, resource_type="Encounter", fhir_id=eid, param=search.WHO
        ).values_list("token", flat=True)
    )


def write_version(
    patient_id: int,
    resource: dict,
    *,
    source: str,
    recorded_by_id: int | None,
    provenance: dict,
    deleted: bool = False,
) -> int:
    """Write a new version of an existing (or new) resource; returns its version number."""
    rtype, rid = resource["resourceType"], resource["id"]
    cipher = vault.cipher(patient_id)
    current = (
        ResourceVersion.objects.filter(patient_id=patient_id, resource_type=rtype, fhir_id=rid)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    version = (current or 0) + 1
    ResourceVersion.objects.filter(
        patient_id=patient_id, resource_type=rtype, fhir_id=rid, is_current=True
    ).update(is_current=False)
    SearchToken.objects.filter(patient_id=patient_id, resource_type=rtype, fhir_id=rid).delete()
    row = _row(cipher, resource, version, source, recorded_by_id, provenance, timezone.now())
    row.deleted = deleted
    row.save()
    if not deleted:
        enc = search.encounter_ref(resource)
        # The stored encounter's tokens are already HMACs: copied as they are.
        who_tokens = _who_of_encounter(patient_id, enc) if enc else ()
        _insert_tokens(_Indexer(cipher).rows(resource, who_tokens=who_tokens))
    return version


# --- Reading (only with a permit, of its patient's rows) -------------------------------------


_SHARED_REF = re.compile(
    rb'"reference":"('
    + "|".join(sorted(fhir.SHARED_TYPES)).encode()
    + rb')/([A-Za-z0-9.\-]{1,64})"'
)


_OPEN_FIELDS = ("patient_id", "resource_type", "fhir_id", "version", "recorded_at", "payload")
_RECORDED_AT = _OPEN_FIELDS.index("recorded_at")


class _Columns:
    """Converts a database value of column ``i`` as the ORM would (``columns(i, value)``)."""

    def __init__(
        self, converters: dict | None = None, conn: BaseDatabaseWrapper | None = None
    ) -> None:
        self.converters = converters or {}
        self.conn = conn

    def __call__(self, i: int, value: Any) -> Any:
        if i in self.converters:
            convs, expression = self.converters[i]
            for fn in convs:
                value = fn(value, expression, self.conn)
        return value


def _cursor_rows(qs: QuerySet, fields: tuple[str, ...]) -> tuple[list[tuple], _Columns]:
    """``qs.values_list(*fields)`` straight from the database cursor, unconverted."""
    qs = qs.values_list(*fields)
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return [], _Columns()
    columns = [col for col, _sql, _alias in compiler.select]
    if len(columns) != len(fields):
        return list(qs), _Columns()  # annotations or extra columns: the ORM's way
    conn = connections[qs.db]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    return fetched, _Columns(compiler.get_converters(columns), conn)


def plain_rows(qs: QuerySet, *fields: str) -> list[tuple]:
    """``qs.values_list(*fields)``, read straight from the database cursor.

    No model instances and no conversion per row: each column's database values are
    converted once per distinct value (the items of one encounter share their date, those
    of one import their ``recorded_at``), and shared between rows: for columns of
    immutable values (dates, numbers, text), not JSON.
    """
    fetched, columns = _cursor_rows(qs, fields)
    if not columns.converters:
        return fetched
    caches: dict[int, dict] = {i: {} for i in columns.converters}
    out = []
    try:
        for fetched_row in fetched:
            row = list(fetched_row)
            for i, cache in caches.items():
                raw = row[i]
                if raw in cache:
                    row[i] = cache[raw]
                else:
                    row[i] = cache[raw] = columns(i, raw)
            out.append(tuple(row))
    except TypeError:  # an unhashable database value: the ORM's way
        return list(qs.values_list(*fields))
    return out


def _open(
    cipher: vault.Cipher, row: tuple, stamp: Callable, shared_refs: set | None = None
) -> dict:
    pid, rtype, fid, version, recorded_at, payload = row
    if pid != cipher.patient_id:
        raise PermissionError("a permit opens the rows of its own patient only")
    plaintext = cipher.decrypt(payload, _context(rtype, fid, version))
    if shared_refs is not None:
        # Stored JSON is compact, so references to directory data are found in the bytes
        # without walking every resource (decoded once, at the end of ``open_rows``).
        shared_refs.update(_SHARED_REF.findall(plaintext))
    resource = orjson.loads(plaintext)
    meta = resource.get("meta")
    if meta:
        meta["versionId"] = str(version)
        meta["lastUpdated"] = stamp(recorded_at)
    else:
        resource["meta"] = {"versionId": str(version), "lastUpdated": stamp(recorded_at)}
    return resource


def _stamps(columns: _Columns) -> Callable:
    """``meta.lastUpdated`` of a stored ``recorded_at``: converted once per distinct value
    (the items of one import or one entry share it)."""
    seen: dict = {}

    def stamp(raw: Any) -> str:
        found = seen.get(raw)
        if found is None:
            found = seen[raw] = columns(_RECORDED_AT, raw).isoformat()
        return found

    return stamp


def open_rows(
    permit: Permit,
    rows: QuerySet | Iterable[ResourceVersion],
    shared_refs: set | None = None,
    before_open: Callable[[dict[str, int]], None] | None = None,
) -> list[dict]:
    """Decrypt rows of the permit's patient (another's raise PermissionError);
    ``shared_refs`` (if given) collects the (type, id) of directory data they name;
    ``before_open`` (if given) is called with how many rows of each type are about to be
    decrypted, before any is (``access.services.on_open``: the audit entry says it)."""
    cipher = _record_cipher(permit)
    if isinstance(rows, QuerySet):
        # No model instances on the hot path: the columns straight from the cursor.
        tuples, columns = _cursor_rows(rows, _OPEN_FIELDS)
    else:
        tuples = [
            (r.patient_id, r.resource_type, r.fhir_id, r.version, r.recorded_at, r.payload)
            for r in rows
        ]
        columns = _Columns()
    if before_open is not None:
        kinds: dict[str, int] = {}
        for t in tuples:
            kinds[t[1]] = kinds.get(t[1], 0) + 1
        before_open(kinds)
    stamp = _stamps(columns)
    found: set[tuple[bytes, bytes]] | None = set() if shared_refs is not None else None
    # Parsed JSON holds no reference cycles, yet building thousands of dicts and lists
    # triggers the cyclic garbage collector over and over (about a third of the time of a
    # whole record): it is paused while they are built, and runs again afterwards.
    paused = gc.isenabled() and len(tuples) > GC_PAUSE_ROWS
    if paused:
        gc.disable()
    try:
        opened = [_open(cipher, t, stamp, found) for t in tuples]
    finally:
        if paused:
            gc.enable()
    if shared_refs is not None and found:
        shared_refs.update((t.decode(), i.decode()) for t, i in found)
    return opened


def _record_cipher(permit: Permit) -> vault.Cipher:
    """The cipher of the permit's record, for a permit on the record (one with a ``view``:
    a permit to a conversation's messages opens none of the record)."""
    cipher = sealed.cipher(permit)
    if permit.view is None:
        raise PermissionError("this permit opens none of the record")
    return cipher


def open_provenance(permit: Permit, row: ResourceVersion) -> dict:
    _record_cipher(permit)
    if row.patient_id != permit.patient_id:
        raise PermissionError("a permit opens the rows of its own patient only")
    ctx = _context(row.resource_type, row.fhir_id, row.version) + "/provenance"
    return sealed.unseal_json(permit, row.provenance, ctx)


def current_rows(patient_id: int, resource_type: str | None = None) -> QuerySet:
    qs = ResourceVersion.objects.filter(patient_id=patient_id, is_current=True, deleted=False)
    if resource_type:
        qs = qs.filter(resource_type=resource_type)
    return qs


def current_rows_of_type(resource_type: str) -> QuerySet:
    """Patient ids with a current item of ``resource_type`` (metadata in clear)."""
    return (
        ResourceVersion.objects.filter(resource_type=resource_type, is_current=True, deleted=False)
        .values("patient_id")
        .distinct()
    )


def locate(resource_type: str, fhir_id: str) -> ResourceVersion | None:
    """The current row of a resource, whoever it belongs to (to ask access about it)."""
    return (
        ResourceVersion.objects.filter(
            resource_type=resource_type, fhir_id=fhir_id, is_current=True
        )
        .only("id", "patient_id", "resource_type", "fhir_id", "version", "deleted", "recorded_at")
        .first()
    )


# --- What a permit's view may see (filtering in SQL, once per request) ------------------------


def _having(cipher: vault.Cipher, patient_id: int, values: Iterable[str]) -> QuerySet:
    return SearchToken.objects.filter(
        patient_id=patient_id,
        param=LABEL,
        token__in=[cipher.blind_index(v) for v in values],
    ).values("fhir_id")


def restrict(qs: QuerySet, patient_id: int, view: View | None) -> QuerySet:
    """Narrow a query on the patient's rows to what ``view`` (from a permit) shows.

    Mirrors ``access.policy.View.allows`` in SQL: label tokens are matched by their
    blind index under the patient's key, masks by item id. Counts, totals, pages and
    exports are all computed on the narrowed query, so nothing hidden is ever counted.
    """
    if view is None:
        raise PermissionError("reading health data needs a permit from access")
    if view.all:
        return qs
    cipher = vault.cipher(patient_id)
    L = access_labels
    # Labelled items only: an item without labels shows to nobody but the person.
    qs = qs.filter(fhir_id__in=_having(cipher, patient_id, [f"conf:{lv}" for lv in L.LEVELS]))
    hidden = access_masks.hidden_ids(patient_id, view)
    if hidden is not None:
        qs = qs.exclude(fhir_id__in=hidden)
    if view.emergency:
        in_set = Q(fhir_id__in=_having(cipher, patient_id, ["set:emergency"]))
        very = Q(fhir_id__in=_having(cipher, patient_id, ["conf:V"]))
        referent_only = Q(fhir_id__in=access_masks.referent_only_ids(patient_id))
        return qs.filter(in_set | (~very & ~referent_only))
    above = []
    if L.LEVELS.index(view.max_level) < L.LEVELS.index("R"):
        above += ["conf:R"] + [f"sens:{s}" for s in L.SENSITIVITIES]
    if L.LEVELS.index(view.max_level) < L.LEVELS.index("V"):
        above.append("conf:V")
    if above:
        qs = qs.exclude(fhir_id__in=_having(cipher, patient_id, above))
    if view.scopes is not None:
        wanted = [f"scope:{c}" for c in sorted(view.scopes)] + ["set:identity"]
        qs = qs.filter(fhir_id__in=_having(cipher, patient_id, wanted))
    return qs


def labels_of(patient_id: int, resource_type: str, fhir_id: str) -> tuple[str, ...]:
    """An item's labels, recognised from its blind tokens, plus the person's masks on it."""
    cipher = vault.cipher(patient_id)
    known = {cipher.blind_index(v): v for v in access_labels.VOCABULARY}
    tokens = SearchToken.objects.filter(
        patient_id=patient_id, resource_type=resource_type, fhir_id=fhir_id, param=LABEL
    ).values_list("token", flat=True)
    found = sorted({known[t] for t in tokens if t in known})
    return tuple(found + access_masks.labels_for(patient_id, resource_type, fhir_id))


def token_filter(patient_id: int, resource_type: str, param: str, values: list[str]) -> Q:
    cipher = vault.cipher(patient_id)
    hashes = [cipher.blind_index(v) for v in values]
    ids = SearchToken.objects.filter(
        patient_id=patient_id, resource_type=resource_type, param=param, token__in=hashes
    ).values("fhir_id")
    return Q(fhir_id__in=ids)


def existing_ids(patient_id: int, refs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (type, id) pairs exist in the patient's record or among shared resources."""
    found: set[tuple[str, str]] = set()
    by_type: dict[str, list[str]] = {}
    for t, i in refs:
        by_type.setdefault(t, []).append(i)
    for t, ids in by_type.items():
        if t in fhir.SHARED_TYPES:
            qs = SharedResource.objects.filter(resource_type=t, fhir_id__in=ids)
        else:
            qs = current_rows(patient_id, t).filter(fhir_id__in=ids)
        found |= {(t, i) for i in qs.values_list("fhir_id", flat=True)}
    return found


# --- Shared reference data -------------------------------------------------------------------


def identifier_key(resource: dict) -> str:
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("value"):
            return f"{ident.get('system', '')}|{ident['value']}"[:255]
    return ""


def find_shared(resource: dict) -> str | None:
    """The id of a stored practitioner/organisation with the same identifier, if any."""
    key = identifier_key(resource)
    if not key:
        return None
    return (
        SharedResource.objects.filter(resource_type=resource["resourceType"], identifier=key)
        .values_list("fhir_id", flat=True)
        .first()
    )


def create_shared(resource: dict, fid: str) -> str:
    """Store a practitioner/organisation under ``fid``; returns the id it is stored under
    (another's, when the same identifier was stored meanwhile)."""
    rtype = resource["resourceType"]
    key = identifier_key(resource)
    body = {**resource, "id": fid}
    meta = {
        k: v
        for k, v in (resource.get("meta") or {}).items()
        if k not in ("versionId", "lastUpdated")
    }
    if meta:
        body["meta"] = meta
    else:
        body.pop("meta", None)
    try:
        with transaction.atomic():
            SharedResource.objects.create(
                resource_type=rtype, fhir_id=fid, identifier=key, body=body
            )
    except IntegrityError:
        found = find_shared(resource)
        if found is None:
            raise
        return found
    return fid


def upsert_shared(resource: dict) -> tuple[str, bool]:
    """Store a practitioner/organisation once; returns (its id, created)."""
    existing = find_shared(resource)
    if existing:
        return existing, False
    fid = new_id()
    return create_shared(resource, fid), True


def shared(resource_type: str, ids: Iterable[str]) -> list[dict]:
    return [
        s.body
        for s in SharedResource.objects.filter(resource_type=resource_type, fhir_id__in=list(ids))
    ]


# --- Timeline and search (with a permit's narrowed query) ---------------------------------


def label_filter(patient_id: int, values: list[str]) -> Q:
    """Items carrying any of these labels (``scope:results``…), by their blind tokens."""
    return Q(fhir_id__in=_having(vault.cipher(patient_id), patient_id, values))


def _param_ids(patient_id: int, param: str, token: str) -> QuerySet:
    return SearchToken.objects.filter(patient_id=patient_id, param=param, token=token).values(
        "fhir_id"
    )


def param_filter(patient_id: int, param: str, value: str) -> Q:
    """Items of any type carrying the blind token of ``value`` under ``param``."""
    return Q(fhir_id__in=_param_ids(patient_id, param, vault.cipher(patient_id).blind_index(value)))


def word_filter(patient_id: int, term: str) -> Q:
    """Items with a word starting with ``term`` (already normalised by ``search``)."""
    return Q(
        fhir_id__in=_param_ids(patient_id, search.WORD, vault.cipher(patient_id).blind_index(term))
    )


def who_filter(patient_id: int, reference: str) -> Q:
    """Items a practitioner (``Practitioner/<id>``) took part in."""
    return Q(
        fhir_id__in=_param_ids(
            patient_id, search.WHO, vault.cipher(patient_id).blind_index(reference)
        )
    )


def practitioners_named(
    patient_id: int, visible: QuerySet, *, limit: int
) -> list[tuple[str, dict]]:
    """The shared practitioners named by the items of ``visible`` (already narrowed), by name.

    The record only holds HMACs of the references: the candidates are the directory's
    practitioners (public data, the ``limit`` most recently seen), each recognised by its
    token. Items outside the view never contribute a name.
    """
    tokens = set(
        SearchToken.objects.filter(
            patient_id=patient_id, param=search.WHO, fhir_id__in=visible.values("fhir_id")
        )
        .values_list("token", flat=True)
        .distinct()
    )
    if not tokens:
        return []
    cipher = vault.cipher(patient_id)
    found = []
    candidates = SharedResource.objects.filter(resource_type="Practitioner").order_by(
        "-updated_at"
    )[:limit]
    for fid, body in candidates.values_list("fhir_id", "body"):
        if cipher.blind_index(f"Practitioner/{fid}") in tokens:
            found.append((fid, body))
    return found


def locate_in(patient_id: int, fhir_id: str) -> ResourceVersion | None:
    """The current row of an item of this patient, whatever its type."""
    if not isinstance(fhir_id, str) or not fhir.ID_RE.match(fhir_id):
        return None
    return (
        ResourceVersion.objects.filter(patient_id=patient_id, fhir_id=fhir_id, is_current=True)
        .only("id", "patient_id", "resource_type", "fhir_id", "version", "deleted", "recorded_at")
        .first()
    )


def first_source(patient_id: int, resource_type: str, fhir_id: str) -> str | None:
    """Where the first version of an item came from (self, practitioner, import, api)."""
    return (
        ResourceVersion.objects.filter(
            patient_id=patient_id, resource_type=resource_type, fhir_id=fhir_id
        )
        .order_by("version")
        .values_list("source", flat=True)
        .first()
    )
