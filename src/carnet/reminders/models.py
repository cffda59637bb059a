"""What the reminders keep: enrolments, the intake log, reminder choices, agenda entries, feeds.

Every row carries ``patient_id`` (no foreign key to another person's rows). What a person
could read about their health — which programme, a declared start date, an intake note, an
agenda entry's title — is AES-GCM ciphertext under the patient's key; lookups use blind
indexes (``Cipher.blind_index``), never plaintext codes.
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    TAKEN = "taken", "taken"
    SKIPPED = "skipped", "skipped"


class Enrolment(models.Model):
    """A follow-up programme the person started or stopped (details encrypted)."""

    patient_id = models.BigIntegerField()
    programme_token = models.CharField(max_length=32)  # blind index of the programme id
    payload = models.BinaryField()  # {"programme", "start", "status"}
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "programme_token"], name="reminders_enrolment_unique"
            )
        ]


class Intake(models.Model):
    """One scheduled intake of one prescription, marked taken or skipped by the person."""

    patient_id = models.BigIntegerField()
    request_id = models.CharField(max_length=64)  # the MedicationRequest's opaque id
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices)
    recorded_at = models.DateTimeField()
    note = models.BinaryField(null=True, blank=True)  # encrypted free text, if any

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "request_id", "scheduled_at"], name="reminders_intake_unique"
            )
        ]
        indexes = [models.Index(fields=["patient_id", "scheduled_at"], name="reminders_intake_day")]


class ReminderState(models.Model):
    """The person's choice about one reminder (snoozed, off, confirmed) and what was sent.

    ``key_token`` is the blind index of the reminder's key, so that "vaccination:hpv" or
    "programme:pregnancy:…" never appears in clear.
    """

    patient_id = models.BigIntegerField()
    key_token = models.CharField(max_length=32)
    snoozed_until = models.DateField(null=True, blank=True)
    off = models.BooleanField(default=False)
    confirmed_on = models.DateField(null=True, blank=True)
    notified_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "key_token"], name="reminders_state_unique"
            )
        ]


class AgendaEntry(models.Model):
    """An event the person added to their agenda (title and note encrypted)."""

    patient_id = models.BigIntegerField()
    starts_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    payload = models.BinaryField()  # {"title", "note"}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient_id", "starts_at"], name="reminders_agenda_day")]


class Feed(models.Model):
    """The private iCalendar feed of a record: only the SHA-256 of its secret is stored."""

    patient_id = models.BigIntegerField(unique=True)
    digest = models.CharField(max_length=64, unique=True)
    show_details = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class AdherenceSharing(models.Model):
    """The person's choice to show their adherence to their care team (off unless chosen)."""

    patient_id = models.BigIntegerField(unique=True)
    shared = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
