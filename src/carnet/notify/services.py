"""Telling people things: the outbox, preferences, in-app notifications, SMS replies.

    notify_user(user_id, event, *, params=None, urgent=False, key=None, ...)  -> [Message]
    notify_patient(patient_id, event, ...)                                    -> [Message]

queue one message per channel the person chose (in-app is written at once; email, SMS
and Web Push go through the outbox that ``carnet notify send`` and the Huey periodic task
deliver). Bodies never carry health detail: see ``events``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from carnet.accounts import phones
from carnet.accounts.models import Patient, User
from carnet.vault import push_keys

from . import channels as delivery
from . import events, outbox
from .models import (
    Channel,
    Frequency,
    InboundSms,
    Message,
    Notification,
    Preferences,
    PushSubscription,
    Status,
    language_for,
    preferences,
)
from .tasks import send_notifications_now

log = logging.getLogger("carnet.notify")

__all__ = [
    "language_for",
    "notify_user",
    "notify_patient",
    "preferences",
    "update_preferences",
    "unread",
    "unread_count",
    "mark_read",
    "register_reply_handler",
    "handle_inbound_sms",
    "save_push_subscription",
    "delete_push_subscription",
    "send_due",
]


# --- preferences ----------------------------------------------------------------------------


def update_preferences(user, **changes) -> Preferences:
    """Change some preferences; bad values raise ValidationError and change nothing.

    Fields: in_app, email, sms, push (booleans), phone, language ("", "fr", "en"),
    timezone, quiet_start and quiet_end (datetime.time, both or neither), frequency
    ("immediate" or "daily"), digest_hour (0–23).
    """
    allowed = {
        "in_app", "email", "sms", "push", "phone", "language", "timezone",
        "quiet_start", "quiet_end", "frequency", "digest_hour",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"unknown preference {', '.join(sorted(unknown))}")
    with transaction.atomic():
        prefs = Preferences.objects.select_for_update().filter(user_id=user.pk).first()
        if prefs is None:
            prefs = Preferences(user=user)
        for name, value in changes.items():
            setattr(prefs, name, value)
        errors: dict[str, str] = {}
        if prefs.phone:
            try:
                prefs.phone = phones.normalise(prefs.phone)
            except phones.BadNumber as exc:
                errors["phone"] = exc.message
        if prefs.sms and not prefs.phone:
            errors["sms"] = "A phone number is needed to receive SMS."
        if prefs.language not in ("", *events.LANGUAGES):
            errors["language"] = "Unknown language."
        try:
            ZoneInfo(prefs.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = "Unknown time zone."
        if (prefs.quiet_start is None) != (prefs.quiet_end is None):
            errors["quiet_end"] = "Give both the start and the end of the quiet hours."
        if prefs.frequency not in Frequency.values:
            errors["frequency"] = "Unknown frequency."
        if not (isinstance(prefs.digest_hour, int) and 0 <= prefs.digest_hour <= 23):
            errors["digest_hour"] = "Choose an hour between 0 and 23."
        if errors:
            raise ValidationError(errors)
        prefs.save()
    return prefs


def _usable_email(user) -> bool:
    return bool(user.email) and not user.email.endswith(".invalid")


def chosen_channels(user, prefs: Preferences) -> list[str]:
    """The channels this person can be reached on now, among those they chose."""
    out = []
    if prefs.in_app:
        out.append(Channel.IN_APP)
    if prefs.email and _usable_email(user):
        out.append(Channel.EMAIL)
    if prefs.sms and prefs.phone:
        out.append(Channel.SMS)
    if prefs.push and PushSubscription.objects.filter(user_id=user.pk).exists():
        out.append(Channel.PUSH)
    return out


def _tz(prefs: Preferences):
    try:
        return ZoneInfo(prefs.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def quiet_until(prefs: Preferences, now: dt.datetime) -> dt.datetime | None:
    """When the person's quiet hours end, if ``now`` falls inside them."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return None
    tz = _tz(prefs)
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz)


def next_digest(prefs: Preferences, now: dt.datetime) -> dt.datetime:
    tz = _tz(prefs)
    local = now.astimezone(tz)
    at = dt.datetime.combine(local.date(), dt.time(prefs.digest_hour), tzinfo=tz)
    if at <= local:
        at = dt.datetime.combine(local.date() + dt.timedelta(days=1), at.time(), tzinfo=tz)
    return at


def _schedule(prefs, channel, urgent, now) -> tuple[dt.datetime, bool]:
    """When to send, and whether the message waits for the daily digest."""
    if channel == Channel.IN_APP or urgent:
        return now, False
    if prefs.frequency == Frequency.DAILY:
        return next_digest(prefs, now), True
    return quiet_until(prefs, now) or now, False


def _idempotency_key(user_id: int, channel: str, key: str | None) -> str:
    if key is None:
        return uuid.uuid4().hex
    return hashlib.sha256(f"{user_id}|{channel}|{key}".encode()).hexdigest()[:32]


# --- queueing ---------------------------------------------------------------------------------
def notify_user(
    user_id: int,
    event: str,
    *,
    params: dict | None = None,
    urgent: bool = False,
    key: str | None = None,
    channels: Iterable[str] | None = None,
    patient_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Message]:
    """Queue ``event`` for a person: one message per channel they chose.

    ``params`` holds only the event's whitelisted harmless values (BadParams otherwise).
    ``urgent`` messages (and urgent events such as emergency access) ignore quiet hours
    and the daily digest. ``key`` makes the call idempotent: calling again with the same
    key queues nothing more. ``channels`` narrows the person's choice (an SMS reply goes
    by SMS only). Returns the messages created; an unknown or closed account gets none.
    """
    ev = events.get(event)
    clean = events.clean_params(event, params)
    urgent = bool(urgent or ev.urgent)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return []
    prefs = preferences(user)
    lang = language_for(user, prefs)
    now = now or timezone.now()
    wanted = chosen_channels(user, prefs)
    if channels is not None:
        narrowed = set(channels)
        wanted = [c for c in wanted if c in narrowed]
    created: list[Message] = []
    with transaction.atomic():
        for channel in wanted:
            when, held = _schedule(prefs, channel, urgent, now)
            msg, new = Message.objects.get_or_create(
                idempotency_key=_idempotency_key(user.pk, channel, key),
                defaults={
                    "user": user,
                    "patient_id": patient_id,
                    "channel": channel,
                    "event": event,
                    "language": lang,
                    "params": clean,
                    "urgent": urgent,
                    "for_digest": held,
                    "next_attempt_at": when,
                },
            )
            if not new:
                continue
            if channel == Channel.IN_APP:
                # The in-app list is part of the database: written now, in the same
                # transaction, so it is there exactly once with no worker involved.
                msg.provider_ref = delivery.deliver_in_app(msg)
                msg.status, msg.sent_at, msg.attempts = Status.SENT, now, 1
                msg.save(update_fields=["provider_ref", "status", "sent_at", "attempts"])
            created.append(msg)
        if any(m.channel != Channel.IN_APP and m.next_attempt_at <= now for m in created):
            transaction.on_commit(_kick_worker)
    return created


def notify_patient(patient_id: int, event: str, **kwargs) -> list[Message]:
    """``notify_user`` for the owner of a record; nothing when the record has no owner."""
    owner_id = Patient.objects.filter(pk=patient_id).values_list("owner_id", flat=True).first()
    if owner_id is None:
        return []
    kwargs.setdefault("patient_id", patient_id)
    return notify_user(owner_id, event, **kwargs)


def _kick_worker() -> None:
    """Ask the job worker to send now rather than at its next minute."""
    if not getattr(settings, "CARNET_NOTIFY_KICK", True):
        return
    try:
        send_notifications_now()
    except Exception:  # the periodic task sends it anyway
        log.warning("could not wake the notification worker", exc_info=True)


def send_due(**kwargs) -> dict:
    """Deliver what is due; see ``outbox.send_due``."""
    return outbox.send_due(**kwargs)


# --- in-app -----------------------------------------------------------------------------------
def unread(user, limit: int = 50) -> list[Notification]:
    """The person's unread in-app notifications, newest first (``.title``, ``.text``, ``.url``)."""
    return list(Notification.objects.filter(user_id=user.pk, read_at__isnull=True)[:limit])


def unread_count(user) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with ``ids=None``, all) of the person's notifications read."""
    qs = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        clean = [int(i) for i in ids if str(i).isdigit()]
        qs = qs.filter(pk__in=clean)
    return qs.update(read_at=timezone.now())


# --- Web Push subscriptions -------------------------------------------------------------------
MAX_PUSH_DEVICES = 10


def _push_host_allowed(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    allowed = [h.lower() for h in settings.CARNET_WEBPUSH_HOSTS]
    if parts.scheme == "https":
        return any(host == h or host.endswith("." + h) for h in allowed)
    # Plain http only to a loopback push service named in the list (development, tests).
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return parts.scheme == "http" and loopback and host in allowed


def save_push_subscription(user, data: dict) -> PushSubscription:
    """Store a browser's PushSubscription (``{endpoint, keys: {p256dh, auth}}``).

    The endpoint must belong to a known push service: the worker posts to it, so an
    arbitrary URL would let anyone make the server call addresses of their choosing.
    """
    try:
        endpoint = str(data["endpoint"])
        p256dh = str(data["keys"]["p256dh"])
        auth = str(data["keys"]["auth"])
    except (KeyError, TypeError):
        raise ValidationError("A push subscription needs an endpoint and its keys.") from None
    b64 = re.compile(r"^[A-Za-z0-9_\-=]{8,200}$")
    if len(endpoint) > 1000 or not _push_host_allowed(endpoint):
        raise ValidationError("This push service is not accepted.")
    if not (b64.match(p256dh) and b64.match(auth)):
        raise ValidationError("The push subscription keys are malformed.")
    with transaction.atomic():
        sub, _ = PushSubscription.objects.update_or_create(
            user_id=user.pk, endpoint=endpoint, defaults={"p256dh": p256dh, "auth": auth}
        )
        # A few browsers per person: beyond, the oldest are forgotten, so one account
        # cannot make the worker post each notification to thousands of addresses.
        keep = PushSubscription.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")
        stale = list(keep.values_list("pk", flat=True)[MAX_PUSH_DEVICES:])
        if stale:
            PushSubscription.objects.filter(pk__in=stale).delete()
    return sub


def delete_push_subscription(user, endpoint: str) -> bool:
    return bool(PushSubscription.objects.filter(user_id=user.pk, endpoint=endpoint).delete()[0])


def vapid_public_key() -> str | None:
    """The applicationServerKey a browser needs to subscribe, or None when not configured."""
    return push_keys.vapid_public_key()


# --- SMS replies --------------------------------------------------------------------------------
@dataclass
class SmsReply:
    """An SMS a person sent back, as a handler sees it."""

    sender: str  # E.164
    text: str  # as received
    words: list[str]  # upper-cased, accents and punctuation removed: ["OUI", "4821"]
    user: object | None  # the account with that phone number, when exactly one has it
    candidates: list = field(default_factory=list)  # every active account with that number

    @property
    def prefix(self) -> str:
        return self.words[0] if self.words else ""

    @property
    def args(self) -> list[str]:
        return self.words[1:]


ReplyHandler = Callable[[SmsReply], "str | tuple[str, dict] | None"]
_REPLY_HANDLERS: dict[str, ReplyHandler] = {}


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9A-Za-z]+", " ", text).upper().split()


def register_reply_handler(prefix: str, func: ReplyHandler) -> None:
    """Route SMS replies whose first word is ``prefix`` ("OUI", "NON"…) to ``func``.

    ``func(reply: SmsReply)`` returns what to answer by SMS: an event key of ``events``
    ("access_request_approved"…), ``(event, params)``, or None for no answer. Register
    from an AppConfig.ready(); registering a prefix again replaces its handler.
    """
    words = _words(prefix)
    if len(words) != 1:
        raise ValueError(f"a reply prefix is one word, not {prefix!r}")
    _REPLY_HANDLERS[words[0]] = func


def unregister_reply_handler(prefix: str) -> None:
    _REPLY_HANDLERS.pop(_words(prefix)[0], None)


def handle_inbound_sms(sender: str, text: str, *, ref: str | None = None) -> str:
    """Dispatch one inbound SMS; returns what happened (for logs and tests).

    A gateway that delivers the same SMS twice (same ``ref``) gets it handled once. SMS
    from numbers no account holds get no answer: answering strangers would let anyone
    make Carnet send SMS to numbers of their choosing.
    """
    try:
        phone = phones.normalise(sender)
    except phones.BadNumber:
        phone = ""
    digest = hashlib.sha256(
        (f"ref|{ref}" if ref else f"body|{phone or sender}|{text}").encode()
    ).hexdigest()
    words = _words(text)
    candidates = list(
        User.objects.filter(
            is_active=True, notify_preferences__phone=phone
        ).order_by("pk")
    ) if phone else []  # fmt: skip
    try:
        with transaction.atomic():
            InboundSms.objects.create(
                digest=digest,
                user=candidates[0] if len(candidates) == 1 else None,
                prefix=words[0][:20] if words else "",
            )
    except IntegrityError:
        return "duplicate"
    if not candidates:
        log.info("SMS reply from a number no account holds: ignored")
        return "unknown sender"
    reply = SmsReply(
        sender=phone,
        text=text,
        words=words,
        user=candidates[0] if len(candidates) == 1 else None,
        candidates=candidates,
    )
    handler = _REPLY_HANDLERS.get(reply.prefix)
    answer: str | tuple[str, dict] | None
    if handler is None:
        answer, outcome = "reply_not_understood", "not understood"
    else:
        try:
            answer, outcome = handler(reply), "handled"
        except Exception:
            log.exception("the SMS reply handler for %s failed", reply.prefix)
            answer, outcome = "reply_not_understood", "handler failed"
    InboundSms.objects.filter(digest=digest).update(handled=outcome == "handled")
    if answer:
        event, params = (answer, None) if isinstance(answer, str) else answer
        notify_user(
            (reply.user or candidates[0]).pk,
            event,
            params=params,
            urgent=True,  # a direct answer: no quiet hours, no digest
            key=f"sms-reply:{digest}",
            channels=[Channel.SMS],
        )
    return outcome
