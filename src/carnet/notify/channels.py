"""Delivering one outbox message on its channel, and asking a provider about a lost one.

``deliver(message, connections)`` returns the provider's reference when the provider
accepted the message, raises ``Retry`` when trying later may work, ``Failed`` when it will
not, and ``Cancel`` when the message should not be sent any more (the person turned the
channel off, has no phone number, closed their account…).

``confirm(message)`` answers for a message whose worker died while sending it: True when
the provider holds it (do not send again), False when it does not, None when it cannot
tell. The idempotency key travels with every message (SMTP Message-ID, SMS client_ref,
Web Push Topic) so that a provider, or a test's loopback server, recognises a resend.
"""

from __future__ import annotations

import json
import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from carnet.vault import push_keys

from . import events, sms
from .models import Channel, Message, Notification, PushSubscription

log = logging.getLogger("carnet.notify")


class Retry(Exception):
    pass


class Failed(Exception):
    pass


class Cancel(Exception):
    pass


def _short(exc: BaseException | str) -> str:
    return str(exc).replace("\n", " ")[:200]


# --- in-app -------------------------------------------------------------------------------
def deliver_in_app(message: Message) -> str:
    notification, _ = Notification.objects.get_or_create(
        message=message,
        defaults={
            "user_id": message.user_id,
            "event": message.event,
            "params": message.params,
            "urgent": message.urgent,
        },
    )
    return f"notification-{notification.pk}"


def _role(message: Message) -> str:
    """The recipient's role: a practitioner's link may open another page (``links``)."""
    return getattr(message.user, "role", "") or ""


# --- email --------------------------------------------------------------------------------
def message_id(message: Message) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "carnet.localhost"
    return f"<{message.idempotency_key}@{domain}>"


def deliver_email(message: Message, connection=None) -> str:
    user = message.user
    if not user.email or user.email.endswith(".invalid"):
        raise Cancel("the account has no usable email address")
    body = events.render_email(message.event, message.params, message.language, _role(message))
    mid = message_id(message)
    mail = EmailMultiAlternatives(
        subject=body["subject"],
        body=body["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
        headers={
            "Message-ID": mid,
            "Auto-Submitted": "auto-generated",
            "X-Carnet-Ref": message.idempotency_key,
            **({"Importance": "high", "X-Priority": "1"} if message.urgent else {}),
        },
    )
    mail.attach_alternative(body["html"], "text/html")
    try:
        mail.send(fail_silently=False)
    except Exception as exc:
        raise Retry(f"SMTP: {exc.__class__.__name__}: {_short(exc)}") from exc
    return mid


# --- SMS ----------------------------------------------------------------------------------
def deliver_sms(message: Message, phone: str) -> str:
    if not phone:
        raise Cancel("no phone number")
    text = events.render(message.event, "sms", message.params, message.language, _role(message))[
        "text"
    ]
    try:
        return sms.backend().send(sms.Sms(to=phone, text=text, client_ref=message.idempotency_key))
    except sms.SmsError as exc:
        raise (Failed if exc.permanent else Retry)(f"SMS: {_short(exc)}") from exc


# --- Web Push -----------------------------------------------------------------------------
def deliver_push(message: Message) -> str:
    subscriptions = list(PushSubscription.objects.filter(user_id=message.user_id))
    if not subscriptions:
        raise Cancel("no browser allowed notifications")
    key_file = settings.CARNET_WEBPUSH_KEY_FILE
    if not key_file:
        raise Cancel("Web Push is not configured (CARNET_WEBPUSH_KEY_FILE)")
    from pywebpush import WebPushException, webpush

    try:
        signer = push_keys.vapid_signer()
    except Exception as exc:  # no file, or one py_vapid cannot read
        raise Retry(f"Web Push: {exc.__class__.__name__}") from exc
    data = json.dumps(
        events.render_push(message.event, message.params, message.language, _role(message))
    )
    delivered, errors = 0, []
    for sub in subscriptions:
        try:
            webpush(
                {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                data=data,
                vapid_private_key=signer,
                vapid_claims={"sub": settings.CARNET_WEBPUSH_SUBJECT},
                ttl=24 * 3600,
                timeout=settings.CARNET_SMS_TIMEOUT,
                headers={
                    "Topic": message.idempotency_key[:32],
                    "Urgency": "high" if message.urgent else "normal",
                },
            )
            delivered += 1
        except WebPushException as exc:
            if exc.status_code in (404, 410):  # the browser unsubscribed: forget it
                sub.delete()
            else:
                errors.append(f"push service answered {exc.status_code}")
        except Exception as exc:  # network errors from requests, bad keys…
            errors.append(f"{exc.__class__.__name__}")
    if delivered:
        return f"push:{delivered}/{len(subscriptions)}"
    if errors:
        raise Retry("Web Push: " + "; ".join(errors))
    raise Cancel("every browser subscription had expired")


# --- dispatch -----------------------------------------------------------------------------
class Connections:
    """One SMTP connection per worker batch, opened on first use."""

    def __init__(self):
        self._smtp = None

    def smtp(self):
        if self._smtp is None:
            self._smtp = get_connection(fail_silently=False)
            try:
                self._smtp.open()
            except Exception as exc:
                self._smtp = None
                raise Retry(f"SMTP: {exc.__class__.__name__}: {_short(exc)}") from exc
        return self._smtp

    def close(self):
        if self._smtp is not None:
            try:
                self._smtp.close()
            except Exception:
                log.warning("could not close the SMTP connection", exc_info=True)
            self._smtp = None


def deliver(message: Message, prefs, connections: Connections) -> str:
    channel = message.channel
    if not message.user.is_active:
        raise Cancel("the account is closed")
    if channel != Channel.IN_APP and not getattr(prefs, channel):
        raise Cancel("the person turned this channel off")
    if channel == Channel.IN_APP:
        return deliver_in_app(message)
    if channel == Channel.EMAIL:
        try:
            return deliver_email(message, connections.smtp())
        except Retry:
            connections.close()  # the next message opens a fresh connection
            raise
    if channel == Channel.SMS:
        return deliver_sms(message, prefs.phone)
    if channel == Channel.PUSH:
        return deliver_push(message)
    raise Failed(f"unknown channel {channel!r}")


def confirm(message: Message) -> bool | None:
    if message.channel == Channel.IN_APP:
        return Notification.objects.filter(message=message).exists()
    if message.channel == Channel.SMS:
        try:
            return sms.backend().lookup(message.idempotency_key)
        except Exception:
            log.warning("could not ask the SMS gateway about a message", exc_info=True)
            return None
    # SMTP has no way to ask; the resend carries the same Message-ID, which mail
    # providers use to drop duplicates. Web Push replaces by Topic.
    return None
