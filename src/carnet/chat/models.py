"""Emergency chat: who is on call for which service, the chats and their messages.

Like every table holding a person's data, ``Chat`` and ``ChatMessage`` carry
``patient_id`` and no foreign key to people; message texts are encrypted with the
person's data key (``vault.cipher``), bound to their chat.
"""

from django.db import models


class OnCall(models.Model):
    """A practitioner on call for one service, from ``started_at`` until ``ended_at``."""

    practitioner_id = models.BigIntegerField(db_index=True)
    service = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "ended_at"])]


class ChatStatus(models.TextChoices):
    WAITING = "waiting", "waiting for a practitioner"
    OPEN = "open", "a practitioner answers"
    CLOSED = "closed", "closed"


class Chat(models.Model):
    patient_id = models.BigIntegerField(db_index=True)
    started_by_id = models.BigIntegerField()
    service = models.CharField(max_length=40)
    status = models.CharField(max_length=8, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    # The person agreed that the practitioner who answers sees their emergency information.
    shares_dataset = models.BooleanField(default=False)
    practitioner_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_id = models.BigIntegerField(null=True, blank=True)
    transcript_id = models.CharField(max_length=64, blank=True)  # DocumentReference id

    class Meta:
        indexes = [models.Index(fields=["service", "status"])]


class ChatMessage(models.Model):
    patient_id = models.BigIntegerField(db_index=True)
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="lines")
    author_id = models.BigIntegerField()
    from_practitioner = models.BooleanField(default=False)
    body = models.BinaryField()  # encrypted {"text": …}
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
