"""Backups of the main database and the document files, and restoring them.

``backup(path)`` writes one encrypted file (see ``crypto.py``) holding a tar archive:

    manifest.json              what was saved: database vendor, migrations, counts, tables
    database.sqlite3           SQLite: a consistent copy made with SQLite's online backup API
    tables/<table>.copy        PostgreSQL: each of Carnet's tables, COPY text format, all read
                               in one REPEATABLE READ snapshot (no pg_dump needed)
    blobs/<patient>/<blob>     every document file named by the saved database, as stored
                               (already encrypted under its person's data key)

It runs while Carnet serves: the database is read from one snapshot (SQLite WAL readers and
PostgreSQL snapshots do not block writers), and the files copied are those that snapshot
names. The key store (wrapped data keys) is NOT in it: a person who closes their account
has their key destroyed, so their data in every older backup stays unreadable. With
``include_keys`` a second file holds a copy of the key store, for disaster recovery only.

``restore(path)`` puts a backup into an empty install (migrated, no account yet), all or
nothing: the file is opened and checked to its last byte before anything is written.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.access import audit
from carnet.vault import backup_keys
from carnet.vault import services as vault

from .crypto import (
    BackupError,
    EncryptingWriter,
    decrypt_to,
    key_for,
    master_key,
    read_header,
    read_key_file,
)

__all__ = ["BackupError", "BackupResult", "RestoreResult", "backup", "restore", "keystore_path"]

MAIN, KEYSTORE = "main", "keystore"


@dataclass
class BackupResult:
    path: Path
    size: int
    counts: dict
    missing_blobs: int = 0
    keystore_path: Path | None = None
    keystore_size: int = 0


@dataclass
class RestoreResult:
    kind: str
    counts: dict = field(default_factory=dict)
    without_key: int = 0  # patients whose data key is not in the key store: unreadable
    audit_entries: int = 0
    audit_problems: list = field(default_factory=list)
    migrate_needed: bool = False


# --- What is saved ---------------------------------------------------------------------------


def _models(db: str):
    """Concrete, managed models stored in ``db`` (m2m tables included)."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if router.allow_migrate_model(db, model):
            out.append(model)
    return out


def _counting_models():
    return {
        "users": apps.get_model(settings.AUTH_USER_MODEL),
        "patients": apps.get_model("accounts", "Patient"),
        "resource_versions": apps.get_model("records", "ResourceVersion"),
        "search_tokens": apps.get_model("records", "SearchToken"),
        "shared_resources": apps.get_model("records", "SharedResource"),
        "blobs": apps.get_model("records", "Blob"),
        "audit_entries": apps.get_model("access", "AuditEntry"),
    }


def _counts(db: str = "default") -> dict:
    return {name: m.objects.using(db).count() for name, m in _counting_models().items()}


def _applied_migrations(db: str = "default") -> list[list[str]]:
    return sorted([a, n] for a, n in MigrationRecorder(connections[db]).applied_migrations())


def keystore_path(path: Path) -> Path:
    return Path(str(path) + ".keystore")


def _sqlite_path(db: str) -> Path | None:
    conf = settings.DATABASES[db]
    if conf["ENGINE"] != "django.db.backends.sqlite3":
        return None
    return Path(conf["NAME"]).resolve()


def _tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix=".backup-", dir=settings.DATA_DIR))  # mode 0700


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _blob_path(patient_id: int, blob_id: str) -> Path:
    return Path(settings.BLOB_DIR) / str(patient_id) / blob_id


def _valid_blob(patient: str, blob_id: str) -> bool:
    return patient.isdigit() and blob_id.isalnum() and len(blob_id) <= 64


# --- Backup -----------------------------------------------------------------------------------


def _snapshot_sqlite(work: Path) -> tuple[Path, list[tuple[int, str]], dict, list]:
    """Copy the main SQLite database with the online backup API, into ``work``."""
    src_path = _sqlite_path("default")
    copy = work / "database.sqlite3"
    src = sqlite3.connect(src_path, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # one step: a consistent snapshot, writers keep going (WAL)
    finally:
        src.close()
    try:
        dst.execute("PRAGMA journal_mode=DELETE")
        # If the key store shares the file (not the default), its rows stay out of the copy.
        tables = {r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        dropped = False
        for model in _models("keystore"):
            if model._meta.db_table in tables and not router.allow_migrate_model("default", model):
                dst.execute(f'DELETE FROM "{model._meta.db_table}"')  # noqa: S608
                dropped = True
        dst.commit()
        if dropped:
            dst.execute("VACUUM")
        blob = apps.get_model("records", "Blob")._meta.db_table
        blobs = [
            (int(p), str(b))
            for p, b in dst.execute(f'SELECT patient_id, blob_id FROM "{blob}"')  # noqa: S608
        ]
        counts = {
            name: dst.execute(f'SELECT COUNT(*) FROM "{m._meta.db_table}"').fetchone()[0]  # noqa: S608
            for name, m in _counting_models().items()
        }
        migrations = sorted(
            [a, n] for a, n in dst.execute("SELECT app, name FROM django_migrations")
        )
    finally:
        dst.close()
    return copy, blobs, counts, migrations


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.local_concrete_fields]


def _snapshot_postgresql(work: Path) -> tuple[list[dict], list[tuple[int, str]], dict, list]:
    """Every table of the main database, read with COPY in one REPEATABLE READ snapshot."""
    conn = connections["default"]
    tables, blobs = [], []
    (work / "tables").mkdir()
    with transaction.atomic(using="default"):
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        raw = conn.connection.cursor()
        for model in _models("default"):
            table, cols = model._meta.db_table, _columns(model)
            qcols = ", ".join(conn.ops.quote_name(c) for c in cols)
            out = work / "tables" / f"{table}.copy"
            rows = 0
            with (
                open(out, "wb") as fh,
                raw.copy(f"COPY {conn.ops.quote_name(table)} ({qcols}) TO STDOUT") as copy,
            ):
                for data in copy:
                    fh.write(data)
                    rows += bytes(data).count(b"\n")
            tables.append({"table": table, "columns": cols, "rows": rows})
        blob_model = apps.get_model("records", "Blob")
        blobs = list(blob_model.objects.values_list("patient_id", "blob_id"))
        counts = _counts()
        migrations = _applied_migrations()
    return tables, blobs, counts, migrations


def _open_output(path: Path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return tmp, os.fdopen(fd, "wb")


def _finish_output(tmp: Path, fh, path: Path) -> int:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return path.stat().st_size


def _write_archive(path: Path, key, kind: str, meta: dict, fill) -> int:
    tmp, fh = _open_output(path)
    try:
        writer = EncryptingWriter(fh, key, kind, meta)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            fill(tar)
        writer.close()
        return _finish_output(tmp, fh, path)
    except BaseException:
        fh.close()
        tmp.unlink(missing_ok=True)
        raise


def backup(path: Path, *, key_file: Path | None = None, include_keys: bool = False) -> BackupResult:
    """Write an encrypted backup of the main database and the documents to ``path``."""
    path = Path(path)
    key = read_key_file(key_file, create=True) if key_file else master_key()
    vendor = connections["default"].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("backups support SQLite and PostgreSQL only"))
    work = _tmpdir()
    try:
        if vendor == "sqlite":
            db_file, blobs, counts, migrations = _snapshot_sqlite(work)
            tables = []
        else:
            tables, blobs, counts, migrations = _snapshot_postgresql(work)
            db_file = None
        missing: list[str] = []
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "migrations": migrations,
            "counts": counts,
            "tables": tables,
            "missing_blobs": missing,
        }

        def fill(tar: tarfile.TarFile) -> None:
            if db_file is not None:
                tar.add(db_file, arcname="database.sqlite3")
            for t in tables:
                tar.add(work / "tables" / f"{t['table']}.copy", arcname=f"tables/{t['table']}.copy")
            for patient_id, blob_id in blobs:
                src = _blob_path(patient_id, blob_id)
                try:
                    data = src.read_bytes()
                except FileNotFoundError:
                    # Deleted since the snapshot: only erasure deletes files, and it destroys
                    # the data key first, so that file could not be read anyway.
                    missing.append(f"{patient_id}/{blob_id}")
                    continue
                _add_bytes(tar, f"blobs/{patient_id}/{blob_id}", data)
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())

        size = _write_archive(path, key, MAIN, {"vendor": vendor}, fill)
        result = BackupResult(path=path, size=size, counts=counts, missing_blobs=len(missing))
        if include_keys:
            result.keystore_path = keystore_path(path)
            result.keystore_size = _backup_keystore(result.keystore_path, key)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _backup_keystore(path: Path, key) -> int:
    rows = backup_keys.export_data_keys()
    manifest = {"created_at": timezone.now().isoformat(), "data_keys": len(rows)}

    def fill(tar):
        _add_bytes(tar, "keys.json", json.dumps(rows).encode())
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())

    return _write_archive(path, key, KEYSTORE, {}, fill)


# --- Restore ----------------------------------------------------------------------------------


def _open_backup(path: Path, key_file: Path | None, work: Path) -> tuple[dict, tarfile.TarFile]:
    """Decrypt the whole file into ``work`` (checked to its last byte), then open its tar."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise BackupError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": exc.strerror}
        ) from None
    with fh:
        header, raw = read_header(fh)
        key = key_for(header, Path(key_file) if key_file else None)
        plain = work / "archive.tar"
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            decrypt_to(fh, header, raw, key, out)
    try:
        return header, tarfile.open(plain, mode="r:")
    except tarfile.TarError:
        raise BackupError(_("the backup's content is damaged")) from None


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        f = tar.extractfile(name)
    except KeyError:
        f = None
    if f is None:
        raise BackupError(_("the backup's content is incomplete (%(name)s)") % {"name": name})
    return f.read()


def _check_empty() -> None:
    counts = _counts()
    if any(counts[k] for k in ("users", "patients", "resource_versions", "audit_entries")):
        raise BackupError(
            _(
                "this install is not empty (%(users)s accounts, %(resource_versions)s record "
                "entries): restore into a new, migrated install"
            )
            % counts
        )


def restore(path: Path, *, key_file: Path | None = None) -> RestoreResult:
    """Restore a backup (main or key store) into an empty install, all or nothing."""
    path = Path(path)
    work = _tmpdir()
    try:
        header, tar = _open_backup(path, key_file, work)
        with tar:
            if header.get("kind") == KEYSTORE:
                return _restore_keystore(tar)
            if header.get("kind") != MAIN:
                raise BackupError(_("this file is not a Carnet backup"))
            return _restore_main(header, tar, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _restore_main(header: dict, tar: tarfile.TarFile, work: Path) -> RestoreResult:
    manifest = json.loads(_member(tar, "manifest.json"))
    vendor = connections["default"].vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            _("this backup is of a %(theirs)s database; this install uses %(ours)s")
            % {"theirs": manifest["vendor"], "ours": vendor}
        )
    theirs = {tuple(m) for m in manifest["migrations"]}
    ours = {tuple(m) for m in _applied_migrations()}
    if theirs - ours:
        raise BackupError(
            _(
                "this backup was made by a newer version of Carnet (migration %(m)s): "
                "install that version, migrate, then restore"
            )
            % {"m": "/".join(sorted(theirs - ours)[0])}
        )
    if vendor == "postgresql" and ours - theirs:
        raise BackupError(
            _(
                "this backup was made by an older version of Carnet (it lacks migration "
                "%(m)s): restore with that version, then upgrade"
            )
            % {"m": "/".join(sorted(ours - theirs)[0])}
        )
    if vendor == "sqlite" and _sqlite_path("default") == _sqlite_path("keystore"):
        raise BackupError(_("the key store shares the main database file: restore it by hand"))
    _check_empty()

    # Documents first: files nobody names are harmless if the restore stops midway, and
    # running it again overwrites them.
    for info in tar:
        if not info.name.startswith("blobs/"):
            continue
        parts = info.name.split("/")
        if len(parts) != 3 or not info.isfile() or not _valid_blob(parts[1], parts[2]):
            raise BackupError(_("the backup's content is damaged (%(n)s)") % {"n": info.name[:80]})
        dest = _blob_path(int(parts[1]), parts[2])
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".restore")
        with tar.extractfile(info) as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)

    if vendor == "sqlite":
        _restore_sqlite(tar, work)
    else:
        _restore_postgresql(tar, manifest)

    vault.forget_cached_key()
    counts = _counts()
    patients = apps.get_model("accounts", "Patient").objects.values_list("pk", flat=True)
    checked, problems = audit.verify_all()
    return RestoreResult(
        kind=MAIN,
        counts=counts,
        without_key=len(vault.missing_data_keys(patients)),
        audit_entries=checked,
        audit_problems=[str(p) for p in problems],
        migrate_needed=bool(ours - theirs),
    )


def _restore_sqlite(tar: tarfile.TarFile, work: Path) -> None:
    copy = work / "database.sqlite3"
    with tar.extractfile("database.sqlite3") as src, open(copy, "wb") as out:
        shutil.copyfileobj(src, out)
    src = sqlite3.connect(copy)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(_("the database in the backup is damaged"))
        connections["default"].close()
        dst = sqlite3.connect(_sqlite_path("default"), timeout=30)
        try:
            dst.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)  # replaces the whole database in one transaction
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _restore_postgresql(tar: tarfile.TarFile, manifest: dict) -> None:
    conn = connections["default"]
    models = {m._meta.db_table: m for m in _models("default")}
    saved = {t["table"]: t for t in manifest["tables"]}
    if set(saved) != set(models):
        raise BackupError(_("the backup's tables do not match this version of Carnet"))
    for table, t in saved.items():
        if t["columns"] != _columns(models[table]):
            raise BackupError(
                _("the backup's table %(t)s does not match this version of Carnet") % {"t": table}
            )
    q = conn.ops.quote_name
    with transaction.atomic(using="default"):
        with conn.cursor() as cur:
            cur.execute("TRUNCATE " + ", ".join(q(t) for t in models) + " RESTART IDENTITY")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        raw = conn.connection.cursor()
        for table, t in saved.items():
            cols = ", ".join(q(c) for c in t["columns"])
            with (
                tar.extractfile(f"tables/{table}.copy") as src,
                raw.copy(f"COPY {q(table)} ({cols}) FROM STDIN") as copy,
            ):
                while chunk := src.read(1 << 20):
                    copy.write(chunk)
        with conn.cursor() as cur:
            for sql in conn.ops.sequence_reset_sql(no_style(), list(models.values())):
                cur.execute(sql)


def _restore_keystore(tar: tarfile.TarFile) -> RestoreResult:
    if not backup_keys.key_store_is_empty():
        raise BackupError(_("the key store is not empty: restore keys into a new key store only"))
    rows = json.loads(_member(tar, "keys.json"))
    try:
        backup_keys.import_data_keys(rows)
    except backup_keys.UnknownMasterKeys as exc:
        raise BackupError(
            _(
                "these data keys are wrapped by master key %(kid)s, which is not in this "
                "install's key ring: use the master key ring of the install that made the backup"
            )
            % {"kid": exc.key_ids[0]}
        ) from None
    return RestoreResult(kind=KEYSTORE, counts={"data_keys": len(rows)})
