"""Importing FHIR Bundles: one file is one transaction, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.db import transaction

from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts import services as accounts
from carnet.vault import services as vault

from . import fhir, identity, import_staging, store
from .import_errors import ImportBusy, ImportRefused
from .models import Source

ACCEPTED_BUNDLE_TYPES = {"transaction", "batch", "collection", "document", "searchset"}


# Whose file it is (``identity``): compare with the record's person and stop on a mismatch;
# or, the person having said the file is theirs, keep their own details or take the file's.
CHECK, MINE, MINE_TAKE_DETAILS = "check", "mine", "mine-take-details"
IDENTITY_CHOICES = (CHECK, MINE, MINE_TAKE_DETAILS)


def check_person(
    actor: Actor, permit, patient_id: int, purpose: str, file_patient: dict | None
) -> None:
    """Refuse (reason "other_person") a file whose person is not the record's.

    The record's name and birth date are read to compare them and are shown back to whoever
    imports: a stopped import is written in the record's access history.
    """
    try:
        identity.check(permit, file_patient)
    except identity.Mismatch as mismatch:
        access.record(
            actor,
            patient_id,
            Action.READ,
            purpose,
            permit,
            resource_type="Patient",
            count=1,
            what="name and birth date compared with a file to import; import stopped: "
            "the file is about someone else",
        )
        raise ImportRefused(str(mismatch), reason="other_person", mismatch=mismatch) from None


@dataclass
class ImportResult:
    patient_id: int
    created: int = 0
    shared_created: int = 0
    shared_reused: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    # Per entry, in the file's order: (type, id, version) it became; version is None for
    # shared directory data (practitioners, organisations).
    locations: list[tuple[str, str, int | None]] = field(default_factory=list)
    # Items kept with a warning (a wrong code): see ``warning_of``; each is also kept in
    # the item's provenance, so its page says it.
    warnings: list[dict] = field(default_factory=list)
    # Entries merged into what the record holds without changing it (the file's Patient
    # when the person said the file is theirs and kept their own details).
    unchanged: set[tuple[str, str]] = field(default_factory=set)


def warning_of(problem, *, entry: int, resource_type: str) -> dict:
    """A code problem as kept in an item's provenance and listed in the import result."""
    return {
        "kind": "code",
        "entry": entry,
        "type": resource_type,
        "path": problem.path[:200],
        "system": problem.system[:200],
        "code": problem.code[:80],
        "message": problem.message[:300],
    }


def parse(data: bytes | str, *, max_bytes: int | None = None) -> dict:
    """Decode a file into a Bundle dict, refusing what is too big or not JSON."""
    limit = max_bytes or settings.CARNET_MAX_IMPORT_BYTES
    if len(data) > limit:
        raise ImportRefused(
            f"the file is too big ({len(data) // (1024 * 1024)} MB); the limit is {limit // (1024 * 1024)} MB",
            reason="too_big",
        )
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark some editors add
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused("the file is not text encoded in UTF-8", reason="unreadable") from None
    try:
        bundle = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc).lower() or "recursion" in str(exc).lower():
            raise ImportRefused(
                "the file is nested too deeply to be a FHIR resource", reason="unreadable"
            ) from None
        raise ImportRefused(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            reason="unreadable",
        ) from None
    return bundle


def _entries(bundle) -> list[dict]:
    if not isinstance(bundle, dict):
        raise ImportRefused(
            "the file does not hold a FHIR resource (a JSON object was expected)",
            reason="unreadable",
        )
    rtype = bundle.get("resourceType")
    if rtype != "Bundle":
        raise ImportRefused(
            f"the file holds a {str(rtype)[:40]!r} resource; a FHIR Bundle was expected",
            reason="not_bundle",
        )
    if bundle.get("type") not in ACCEPTED_BUNDLE_TYPES:
        raise ImportRefused(
            f"bundle type {str(bundle.get('type'))[:40]!r} cannot be imported; use a transaction or collection bundle",
            reason="not_bundle",
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ImportRefused("the bundle's entry must be a list", reason="not_bundle")
    return entries


def _plan(bundle: dict):
    """Validate every entry and work out new ids; raises ImportRefused naming the entry."""
    entries = _entries(bundle)
    resources: list[dict] = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise ImportRefused(f"entry {n}: has no resource", reason="entry", entry=n)
        request = entry.get("request")
        if isinstance(request, dict) and request.get("method", "POST") not in ("POST", "PUT"):
            raise ImportRefused(
                f"entry {n}: method {str(request.get('method'))[:10]} is not supported; only POST and PUT",
                reason="entry",
                entry=n,
            )
        res = entry["resource"]
        rtype = res.get("resourceType")
        problems: list = []
        try:
            fhir.validate(res, code_problems=problems)
        except fhir.InvalidResource as exc:
            raise ImportRefused(
                f"entry {n} ({str(rtype)[:40]}): {exc}", reason="entry", entry=n
            ) from None
        try:
            orjson.dumps(res)  # what cannot be stored is refused now, naming the entry
        except orjson.JSONEncodeError as exc:
            raise ImportRefused(
                f"entry {n} ({rtype}): cannot be stored ({exc})", reason="entry", entry=n
            ) from None
        if rtype == "Bundle":
            raise ImportRefused(
                f"entry {n}: a bundle inside a bundle cannot be imported", reason="entry", entry=n
            )
        resources.append(
            (
                n,
                entry.get("fullUrl"),
                orjson.loads(orjson.dumps(res)),  # a private copy
                [warning_of(p, entry=n, resource_type=rtype) for p in problems],
            )
        )

    patients = [r[:3] for r in resources if r[2]["resourceType"] == "Patient"]
    if len(patients) > 1:
        raise ImportRefused(
            f"entries {patients[0][0]} and {patients[1][0]}: a file must hold the record of one person only",
            reason="several_people",
            entry=patients[0][0],
            other_entry=patients[1][0],
        )
    return resources, patients


def import_bundle(
    actor: Actor,
    data: bytes | str | dict,
    *,
    patient_id: int | None = None,
    filename: str = "",
    purpose: str = Purpose.SELF,
    progress=None,
    create_patient=None,
    person: str = CHECK,
) -> ImportResult:
    """Import one Bundle into one record, all or nothing.

    ``patient_id`` is the record to import into; without it ``create_patient`` is called
    (once the file is known to be good) to make the new record. Every entry is validated
    first; ids are assigned anew; ``urn:uuid`` and relative references are rewritten;
    practitioners and organisations are shared and de-duplicated by identifier. A
    reference that resolves to nothing refuses the file. A code its system does not allow
    is kept, with a warning on the item (``ImportResult.warnings``).

    ``person`` (one of IDENTITY_CHOICES): with CHECK, a file whose Patient is someone else
    than the record's is refused (reason "other_person") before anything is written; with
    MINE the person said it is theirs and their record keeps its own name and birth date;
    with MINE_TAKE_DETAILS the file's details replace them (as for a matching file).

    Nothing is written until the whole file is known to be good; the items are then
    written in short batches that nobody reads, and made visible in one short transaction
    (``import_staging``): a big file never holds the database for everyone else. Raises
    ``ImportBusy`` when another import into the record is being written or the person
    imported too often in the last hour.
    """
    if person not in IDENTITY_CHOICES:
        raise ValueError(f"unknown person choice {person!r}")
    bundle = data if isinstance(data, dict) else parse(data)
    resources, patients = _plan(bundle)
    if patient_id is None and create_patient is None:
        raise ImportRefused("no record to import into", reason="no_record")
    if patient_id is None and not patients:
        raise ImportRefused(
            "the file holds no Patient, so it cannot start a new record", reason="no_patient"
        )

    if patient_id is not None:
        permit = access.require(actor, patient_id, Action.IMPORT, purpose, audit_now=False)
        if person == CHECK and patients:
            check_person(actor, permit, patient_id, purpose, patients[0][2])
        existing_patient = (
            store.current_rows(patient_id, "Patient").values_list("fhir_id", flat=True).first()
        )
    else:
        import_staging.check_rate(actor.user_id)
        existing_patient = None
    result = ImportResult(patient_id=patient_id or 0)

    # Ids and references, with nothing written yet: new practitioners and organisations get
    # their ids now and are stored only once the file is known to be good.
    mapping: dict[str, str] = {}
    to_write: list[dict] = []
    warned: dict[str, dict] = {}  # new id -> provenance of an item kept with warnings
    new_shared: dict[str, dict] = {}  # id -> resource
    shared_by_key: dict[str, str] = {}
    for n, full_url, res, warnings in resources:
        rtype = res["resourceType"]
        old_id = res.get("id")
        if rtype in fhir.SHARED_TYPES:
            key = f"{rtype}|{store.identifier_key(res)}" if store.identifier_key(res) else ""
            new = shared_by_key.get(key) if key else None
            if new is None:
                new = store.find_shared(res) if key else None
            if new is None:
                new = store.new_id()
                new_shared[new] = {**res}
                result.shared_created += 1
            else:
                result.shared_reused += 1
            if key:
                shared_by_key[key] = new
        elif rtype == "Patient" and existing_patient:
            new = existing_patient
        else:
            new = store.new_id()
        target = f"{rtype}/{new}"
        result.locations.append((rtype, new, None if rtype in fhir.SHARED_TYPES else 1))
        if isinstance(full_url, str) and full_url:
            mapping[full_url] = target
        if isinstance(old_id, str) and old_id:
            mapping[f"{rtype}/{old_id}"] = target
            if isinstance(full_url, str) and full_url.endswith(f"/{rtype}/{old_id}"):
                mapping[full_url] = target
        if rtype not in fhir.SHARED_TYPES:
            res["id"] = new
            to_write.append((n, res))
            if warnings:
                warned[new] = {"warnings": warnings}
                result.warnings += [{**w, "id": new} for w in warnings]

    # Relative references to resources outside the file must exist in the record.
    outside = set()
    for _n, res in to_write:
        for node, _ in fhir.iter_references(res):
            ref = node["reference"]
            if ref in mapping or ref.startswith(("#", "urn:")) or "://" in ref:
                continue
            t, _, i = ref.partition("/")
            outside.add((t, i))
    known = store.existing_ids(patient_id or 0, outside) if outside else set()

    def resolve(ref: str) -> str | None:
        if ref in mapping:
            return mapping[ref]
        if "://" in ref and not ref.startswith("urn:"):
            return ref  # an absolute URL to another server: kept as it is
        t, _, i = ref.partition("/")
        return ref if (t, i) in known else None

    for n, res in to_write:
        dangling = fhir.rewrite_references(res, resolve)
        if dangling:
            raise ImportRefused(
                f"entry {n} ({res['resourceType']}): reference {dangling[0][:80]} points to nothing in the file or the record",
                reason="entry",
                entry=n,
            )

    # The file is good: write it.
    new_record = patient_id is None
    if new_record:
        with transaction.atomic():
            patient_id = create_patient()
        result.patient_id = patient_id
        permit = access.decide(actor, patient_id, Action.IMPORT, purpose)
        if not permit.permit:
            raise access.NotFound()
    nested = transaction.get_connection().in_atomic_block
    provenance = {"file": filename[:255], "by": actor.label}
    try:
        with import_staging.staged_writes(patient_id, actor.user_id, nested=nested) as staged:
            _store_shared(new_shared, to_write, result)
            patient_res = []
            new_patient = not existing_patient and any(
                r["resourceType"] == "Patient" for _n, r in to_write
            )
            if existing_patient:
                patient_res = [r for _n, r in to_write if r["resourceType"] == "Patient"]
                to_write = [(n, r) for n, r in to_write if r["resourceType"] != "Patient"]
                if person == MINE and patient_res:
                    # The person's own details stay: the file's Patient only points at them.
                    current = store.current_rows(patient_id, "Patient").filter(
                        fhir_id=existing_patient
                    )
                    version = current.values_list("version", flat=True).first()
                    result.locations = [
                        (t, i, version if (t, i) == ("Patient", existing_patient) else v)
                        for t, i, v in result.locations
                    ]
                    patient_res = []
                    result.unchanged.add(("Patient", existing_patient))
            result.created += store.write_new(
                patient_id,
                (r for _n, r in to_write),
                source=Source.IMPORT,
                recorded_by_id=actor.user_id,
                provenance=provenance,
                progress=progress,
                item_provenance=warned,
                staged_import=staged.pk,
                on_batch=lambda: import_staging.touch(staged),
            )
            # One short transaction makes the whole file visible, with its history entry.
            with transaction.atomic():
                if new_patient and store.current_rows(patient_id, "Patient").exists():
                    # Another import gave the record its Patient while this one was written.
                    raise ImportBusy(
                        "another import changed this record meanwhile; import the file again",
                        reason="busy",
                        retry_after=1,
                    )
                import_staging.commit(staged)
                for r in patient_res:
                    version = store.write_version(
                        patient_id,
                        r,
                        source=Source.IMPORT,
                        recorded_by_id=actor.user_id,
                        provenance={**provenance, **warned.get(r["id"], {})},
                    )
                    result.created += 1
                    result.locations = [
                        (t, i, version if (t, i) == ("Patient", r["id"]) else v)
                        for t, i, v in result.locations
                    ]
                access.record(
                    actor,
                    patient_id,
                    Action.IMPORT,
                    purpose,
                    permit,
                    count=result.created,
                    what=f"import of {filename[:120]}" if filename else "import",
                )
    except BaseException:
        if new_record and not nested:
            _forget_new_record(patient_id)
        raise
    for _n, r in to_write:
        result.by_type[r["resourceType"]] = result.by_type.get(r["resourceType"], 0) + 1
    return result


def _store_shared(new_shared: dict[str, dict], to_write: list, result: ImportResult) -> None:
    """Store the file's new practitioners and organisations (public directory data).

    One that another import stored meanwhile, under the same identifier, is reused: the
    file's references are pointed at it."""
    moved: dict[str, str] = {}
    for fid, res in new_shared.items():
        stored = store.create_shared(res, fid)
        if stored != fid:
            moved[f"{res['resourceType']}/{fid}"] = f"{res['resourceType']}/{stored}"
    if not moved:
        return
    for _n, res in to_write:
        fhir.rewrite_references(res, lambda ref: moved.get(ref, ref))
    result.locations = [
        (t, moved.get(f"{t}/{i}", f"{t}/{i}").partition("/")[2], v) for t, i, v in result.locations
    ]


def _forget_new_record(patient_id: int) -> None:
    """Remove the record made for an import that did not commit (it holds nothing)."""
    try:
        vault.destroy_data_key(patient_id)
        with transaction.atomic():
            accounts.delete_patient(patient_id)
    except Exception:  # noqa: S110 - an empty record without a key is harmless
        pass
