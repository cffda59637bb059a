"""The outbox and what each person chose about being told things.

Nothing here says anything about a person's health: a message is an event key
("new_message", "emergency_access"…) plus a few whitelisted harmless parameters (a reply
code, a count). What happened is read in the app, behind the person's login.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from . import events


class Channel(models.TextChoices):
    IN_APP = "in_app", "in-app"
    EMAIL = "email", "email"
    SMS = "sms", "SMS"
    PUSH = "push", "Web Push"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "immediate"
    DAILY = "daily", "daily digest"


class Status(models.TextChoices):
    QUEUED = "queued", "queued"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"
    CANCELLED = "cancelled", "cancelled"
    # Held for a daily digest, then sent as part of the digest message named in `digest`.
    MERGED = "merged", "merged into a digest"


class Preferences(models.Model):
    """How one person wants to be told: channels, language, quiet hours, frequency."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences"
    )
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    push = models.BooleanField(default=False)
    phone = models.CharField(max_length=16, blank=True, default="")
    # Empty: the account's language (User.language), French when that is unset too.
    language = models.CharField(max_length=8, blank=True, default="")
    timezone = models.CharField(max_length=64, default="Europe/Paris")
    # Quiet hours in the person's time zone; both empty means none. May span midnight.
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    digest_hour = models.PositiveSmallIntegerField(default=8)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "notification preferences"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="notify_digest_hour_range"
            ),
        ]

    def __str__(self):
        return f"notification preferences of user {self.user_id}"


class Message(models.Model):
    """One message to one person on one channel: the outbox row a worker delivers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_messages"
    )
    # The record the message is about, if any (for distribution by patient_id).
    patient_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    event = models.CharField(max_length=50)
    language = models.CharField(max_length=8, default="fr")
    params = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    for_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    # 32 hex digits; also the SMTP Message-ID, the SMS client_ref and the Web Push topic,
    # so that a provider can recognise (and a worker ask about) a message sent twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    provider_ref = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due"),
            models.Index(fields=["status", "lease_until"], name="notify_msg_lease"),
        ]

    def __str__(self):
        return f"{self.channel} {self.event} to user {self.user_id} ({self.status})"


class Notification(models.Model):
    """An in-app notification: what the web shows in the person's notification list."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="notification")
    event = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notify_unread")]

    def __str__(self):
        return f"{self.event} for user {self.user_id}"

    def _text(self, part: str) -> str:
        return events.render_part(self.event, part, self.params, language_of_id(self.user_id))

    @property
    def title(self) -> str:
        return self._text("subject")

    @property
    def text(self) -> str:
        return self._text("line")

    @property
    def url(self) -> str:
        return events.url_for(self.event, getattr(self.user, "role", ""))


def preferences(user) -> Preferences:
    """The person's preferences; the defaults (in-app and email, French) when never saved."""
    prefs = Preferences.objects.filter(user_id=user.pk).first()
    return prefs if prefs is not None else Preferences(user=user)


def language_for(user, prefs: Preferences | None = None) -> str:
    """The language a person's messages are written in: their choice, else their account's."""
    prefs = prefs if prefs is not None else preferences(user)
    return events.language(prefs.language or getattr(user, "language", ""))


def language_of_id(user_id: int) -> str:
    """``language_for`` from an account id; French for an account that is gone."""
    user = get_user_model().objects.filter(pk=user_id).only("id", "language").first()
    if user is None:
        return events.DEFAULT_LANGUAGE
    return language_for(user)


class PushSubscription(models.Model):
    """A browser's Web Push subscription, stored when the person allowed notifications."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint"], name="notify_push_unique")
        ]

    def __str__(self):
        return f"push subscription {self.pk} of user {self.user_id}"


class InboundSms(models.Model):
    """An SMS reply received by the webhook: kept only to handle a retried delivery once.

    The text is not stored: a person may write anything in a reply, health included.
    """

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    prefix = models.CharField(max_length=20, blank=True, default="")
    handled = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"inbound SMS {self.pk}"
