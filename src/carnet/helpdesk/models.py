"""Help requests: a question to a human advisor, and every answer, kept.

A help request is not part of the health record, but people may write health details in
it: when the asker is a citizen with a record, the subject and every message are
encrypted with that record's data key (``patient_id``), so closing the account makes them
unreadable like the rest. Health professionals have no record of their own: their
requests (about using Carnet, never about a patient) are kept in clear. Every row goes
with the asker's account (``on_delete=CASCADE``).
"""

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    WAITING = "waiting", "waiting for an advisor"
    ANSWERED = "answered", "answered, waiting for the asker"
    CLOSED = "closed", "closed"


class HelpRequest(models.Model):
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests"
    )
    # The asker's record, whose key seals the texts; null: texts kept in clear.
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject = models.BinaryField()
    # The help-centre article the person was reading when they asked (a public slug).
    about = models.CharField(max_length=40, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    # Since when the asker waits for an answer (their first unanswered message).
    waiting_since = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "waiting_since"], name="help_inbox"),
            models.Index(fields=["asker", "-last_message_at"], name="help_asker"),
        ]

    @property
    def sealed(self) -> bool:
        return self.patient_id is not None


class HelpMessage(models.Model):
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="lines")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_advisor = models.BooleanField(default=False)
    body = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
