"""Writing a big import without holding the database for everyone else.

An import is all or nothing, yet a 20 MB file written in one transaction would hold
SQLite's single write lock for a minute, and every other person's page (each read writes
an access-history entry) would wait for it. So an import is written in three steps:

1. ``begin``: one row in ``StagedImport`` (one import at a time per record, a few per hour
   per person);
2. its items, validated, encrypted and indexed outside any transaction, are written batch
   by batch, each batch a short transaction, as rows that are *not current* and carry the
   import's id: nothing reads them (every read starts from current rows);
3. ``commit``: one short transaction makes them all current at once, with the access
   history entry.

An import that fails is discarded at once (``discard``); one whose process died is found
by ``cleanup_stale`` (its process is gone, or it stopped writing for
``CARNET_IMPORT_LEASE_SECONDS``) and discarded, by the next import into the same record or
by the periodic job.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .import_errors import ImportBusy
from .models import ResourceVersion, SearchToken, StagedImport

DISCARD_BATCH = 500


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CARNET_IMPORT_LEASE_SECONDS)


_HOST = socket.gethostname()[:64]


def _owner() -> str:
    return f"{_HOST}:{os.getpid()}"


def _process_gone(owner: str) -> bool:
    """True when the import's process ran on this machine and no longer exists."""
    host, _, pid = owner.rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _busy(message: str, reason: str, retry_after: int):
    return ImportBusy(message, reason=reason, retry_after=retry_after)


def check_rate(actor_user_id: int | None) -> None:
    """Refuse a person who started CARNET_IMPORTS_PER_HOUR imports in the last hour.

    The platform's own command line (no user) is not limited."""
    if actor_user_id is None:
        return
    limit = settings.CARNET_IMPORTS_PER_HOUR
    since = timezone.now() - dt.timedelta(hours=1)
    started = list(
        StagedImport.objects.filter(actor_user_id=actor_user_id, started_at__gte=since)
        .order_by("started_at")
        .values_list("started_at", flat=True)[:limit]
    )
    if len(started) >= limit:
        wait = started[0] + dt.timedelta(hours=1) - timezone.now()
        raise _busy(
            f"{limit} imports in the last hour is the limit; try again later",
            "too_many",
            max(1, int(wait.total_seconds()) + 1),
        )


def begin(patient_id: int, actor_user_id: int | None) -> StagedImport:
    """Start writing an import into a record; raises ImportBusy (nothing written)."""
    check_rate(actor_user_id)
    cleanup_stale(patient_id=patient_id)
    now = timezone.now()
    try:
        with transaction.atomic():
            return StagedImport.objects.create(
                patient_id=patient_id,
                actor_user_id=actor_user_id,
                state=StagedImport.STAGING,
                owner=_owner(),
                started_at=now,
                touched_at=now,
            )
    except IntegrityError:
        raise _busy(
            "another import into this record is being written; try again when it is finished",
            "busy",
            30,
        ) from None


def touch(staged: StagedImport) -> None:
    """Renew the import's lease (inside each batch's transaction); a lost lease stops it."""
    if not StagedImport.objects.filter(pk=staged.pk, state=StagedImport.STAGING).update(
        touched_at=timezone.now()
    ):
        raise RuntimeError("the import was abandoned before it could commit")


def commit(staged: StagedImport) -> int:
    """Make every staged row current (caller holds the short transaction); returns how many."""
    if not StagedImport.objects.filter(pk=staged.pk, state=StagedImport.STAGING).update(
        state=StagedImport.COMMITTED, touched_at=timezone.now()
    ):
        raise RuntimeError("the import was abandoned before it could commit")
    return ResourceVersion.objects.filter(
        staged_import=staged.pk, patient_id=staged.patient_id
    ).update(is_current=True, staged_import=None)


def discard(staged_id: int, patient_id: int) -> int:
    """Delete the rows of an import that will not commit, in short batches; returns how many."""
    StagedImport.objects.filter(pk=staged_id, state=StagedImport.STAGING).update(
        state=StagedImport.FAILED
    )
    removed = 0
    while True:
        with transaction.atomic():
            rows = list(
                ResourceVersion.objects.filter(
                    staged_import=staged_id, patient_id=patient_id, is_current=False
                ).values_list("pk", "resource_type", "fhir_id")[:DISCARD_BATCH]
            )
            if not rows:
                return removed
            by_type: dict[str, list[str]] = {}
            for _pk, rtype, fid in rows:
                by_type.setdefault(rtype, []).append(fid)
            for rtype, ids in by_type.items():
                SearchToken.objects.filter(
                    patient_id=patient_id, resource_type=rtype, fhir_id__in=ids
                ).delete()
            ResourceVersion.objects.filter(pk__in=[pk for pk, _t, _f in rows]).delete()
            removed += len(rows)


def cleanup_stale(patient_id: int | None = None) -> int:
    """Discard imports whose process died or stopped writing; returns how many imports."""
    qs = StagedImport.objects.filter(state=StagedImport.STAGING)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    expired = timezone.now() - _lease()
    n = 0
    for pk, pid, owner, touched in qs.values_list("pk", "patient_id", "owner", "touched_at"):
        if touched < expired or _process_gone(owner):
            discard(pk, pid)
            n += 1
    # Finished imports are kept an hour for the rate limit, then forgotten.
    StagedImport.objects.exclude(state=StagedImport.STAGING).filter(
        started_at__lt=timezone.now() - dt.timedelta(hours=2)
    ).delete()
    return n


@contextmanager
def staged_writes(patient_id: int, actor_user_id: int | None, *, nested: bool):
    """``begin``, then yield the StagedImport; on any error its rows are discarded.

    Inside a caller's transaction (``nested``) everything already commits or rolls back
    together: the writes are then simply rolled back with a savepoint.
    """
    if nested:
        with transaction.atomic():
            yield begin(patient_id, actor_user_id)
        return
    staged = begin(patient_id, actor_user_id)
    try:
        yield staged
    except BaseException:
        try:
            discard(staged.pk, patient_id)
        except Exception:  # noqa: S110 - the stale cleanup will finish the job
            pass
        raise
