"""The outbox worker: claim due messages atomically, deliver, retry with back-off.

Every step is a conditional UPDATE on the message's status, so any number of workers
(``carnet notify send --loop`` processes, Huey tasks, threads) can run at once and each
message is claimed by exactly one of them:

    queued  --claim (status=queued)-->  sending  --deliver-->  sent | queued (retry) | failed
                                         |                                          | cancelled
                                         +-- lease expired (the worker died) --> ask the
                                             provider: confirmed -> sent; else -> queued

A worker that is killed after the provider accepted a message but before it wrote "sent"
leaves the message in "sending" with a lease. When the lease has passed, another worker
asks the channel's provider whether it holds the message's idempotency key (the SMS
gateway does; SMTP cannot tell, so the resend carries the same Message-ID, by which mail
providers drop duplicates) and only sends again if the provider did not confirm.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import channels
from .models import Message, Status, language_of_id, preferences

log = logging.getLogger("carnet.notify")


class _Race(Exception):
    pass


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CARNET_NOTIFY_LEASE)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: base × 2^(attempts−1), at most six hours."""
    seconds = settings.CARNET_NOTIFY_RETRY_BASE * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(seconds, 6 * 3600))


def claim(message_id: int, now: dt.datetime) -> bool:
    """Take one due message for this worker; False when another worker has it."""
    return (
        Message.objects.filter(
            pk=message_id, status=Status.QUEUED, for_digest=False, next_attempt_at__lte=now
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, lease_until=now + lease())
        == 1
    )


def _finish(message: Message, now: dt.datetime, **fields) -> bool:
    # Only the worker holding this claim (same attempt) may close it.
    return bool(
        Message.objects.filter(
            pk=message.pk, status=Status.SENDING, attempts=message.attempts
        ).update(lease_until=None, **fields)
    )


def _retry_or_fail(message: Message, now: dt.datetime, error: str) -> str:
    if message.attempts >= settings.CARNET_NOTIFY_MAX_ATTEMPTS:
        _finish(message, now, status=Status.FAILED, last_error=error[:200])
        return Status.FAILED
    _finish(
        message,
        now,
        status=Status.QUEUED,
        next_attempt_at=now + backoff(message.attempts),
        last_error=error[:200],
    )
    return Status.QUEUED


def process(message_id: int, now: dt.datetime, conns: channels.Connections) -> str:
    """Deliver a message this worker has claimed; returns its new status."""
    message = Message.objects.select_related("user").get(pk=message_id)
    prefs = preferences(message.user)
    try:
        ref = channels.deliver(message, prefs, conns)
    except channels.Cancel as exc:
        _finish(message, now, status=Status.CANCELLED, last_error=str(exc)[:200])
        return Status.CANCELLED
    except channels.Failed as exc:
        _finish(message, now, status=Status.FAILED, last_error=str(exc)[:200])
        return Status.FAILED
    except channels.Retry as exc:
        return _retry_or_fail(message, now, str(exc))
    except Exception as exc:
        log.exception("delivering notification %s failed", message_id)
        return _retry_or_fail(message, now, f"{exc.__class__.__name__}")
    _finish(
        message,
        now,
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_ref=str(ref)[:200],
        last_error="",
    )
    return Status.SENT


def recover_stale(now: dt.datetime, limit: int = 100) -> int:
    """Messages left in "sending" by a worker that died: confirm or send again."""
    n = 0
    stale = Message.objects.filter(status=Status.SENDING, lease_until__lt=now).order_by(
        "lease_until"
    )[:limit]
    for message in stale:
        confirmed = channels.confirm(message)
        mine = Message.objects.filter(
            pk=message.pk, status=Status.SENDING, lease_until=message.lease_until
        )
        if confirmed:
            done = mine.update(
                status=Status.SENT,
                sent_at=now,
                lease_until=None,
                provider_ref=f"confirmed:{message.idempotency_key}",
                last_error="",
            )
        elif message.attempts >= settings.CARNET_NOTIFY_MAX_ATTEMPTS:
            done = mine.update(
                status=Status.FAILED, lease_until=None, last_error="worker lost while sending"
            )
        else:
            done = mine.update(
                status=Status.QUEUED,
                next_attempt_at=now,
                lease_until=None,
                last_error="worker lost while sending; provider did not confirm",
            )
        n += done
    return n


def make_digests(now: dt.datetime) -> int:
    """Fold each person's held messages of a channel, once due, into one digest message."""
    made = 0
    groups = (
        Message.objects.filter(status=Status.QUEUED, for_digest=True, next_attempt_at__lte=now)
        .values_list("user_id", "channel")
        .order_by("user_id", "channel")
        .distinct()
    )
    for user_id, channel in list(groups):
        try:
            with transaction.atomic():
                ids = list(
                    Message.objects.filter(
                        user_id=user_id,
                        channel=channel,
                        status=Status.QUEUED,
                        for_digest=True,
                        next_attempt_at__lte=now,
                    )
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                if not ids:
                    continue
                digest = Message.objects.create(
                    user_id=user_id,
                    channel=channel,
                    event="digest",
                    language=language_of_id(user_id),
                    params={"count": str(len(ids))},
                    next_attempt_at=now,
                    idempotency_key=hashlib.sha256(f"digest|{ids[0]}".encode()).hexdigest()[:32],
                )
                merged = Message.objects.filter(pk__in=ids, status=Status.QUEUED).update(
                    status=Status.MERGED, digest=digest
                )
                if merged != len(ids):
                    raise _Race
                made += 1
        except (_Race, IntegrityError):
            continue  # another worker folded them first
    return made


def send_due(*, limit: int = 100, now: dt.datetime | None = None) -> dict:
    """One pass: recover lost messages, fold digests, deliver up to ``limit`` due messages."""
    now = now or timezone.now()
    counts = {"recovered": recover_stale(now), "digests": make_digests(now)}
    due = list(
        Message.objects.filter(status=Status.QUEUED, for_digest=False, next_attempt_at__lte=now)
        .order_by("-urgent", "next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    conns = channels.Connections()
    try:
        for message_id in due:
            if not claim(message_id, now):
                continue
            status = process(message_id, now, conns)
            counts[status] = counts.get(status, 0) + 1
    finally:
        conns.close()
    counts["claimed"] = sum(counts.get(s, 0) for s in Status.values)
    return counts
