from django.db import models
from django.utils.translation import gettext_lazy as _


# Labels stay untranslated: nothing here is shown to people yet (the search page will
# carry its own translated strings).
class EntrySource(models.TextChoices):
    RPPS = "rpps", "public directory extract"
    FHIR = "fhir", "Annuaire Santé FHIR"


class DirectoryEntry(models.Model):
    """One practitioner's public professional listing at one place of practice.

    Shared reference data, not a person's health data: it comes from the public
    Annuaire Santé extract (one row per activity, so a practitioner working at two
    sites has two entries) and is stored in clear. ``national_id`` is the type-prefixed
    identifier ("8" + RPPS, "0" + ADELI); (national_id, activity_key) is the upsert key.

    The ``*_norm`` columns hold accent- and case-folded text (``directory.fold``) so that
    search is a prefix range on a B-tree index on SQLite and PostgreSQL alike.
    """

    source = models.CharField(max_length=8, choices=EntrySource.choices)
    id_type = models.CharField(max_length=2, blank=True)
    identifier = models.CharField(max_length=20)
    national_id = models.CharField(max_length=24)
    activity_key = models.CharField(max_length=120, blank=True)
    rpps = models.CharField(max_length=11, blank=True)

    civility = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    profession_code = models.CharField(max_length=10, blank=True)
    profession = models.CharField(max_length=150, blank=True)
    specialty_code = models.CharField(max_length=10, blank=True)
    specialty = models.CharField(max_length=200, blank=True)
    practice_mode = models.CharField(max_length=60, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.CharField(max_length=200, blank=True)

    name_norm = models.CharField(max_length=300, blank=True)  # "last first"
    name_rev_norm = models.CharField(max_length=300, blank=True)  # "first last"
    profession_norm = models.CharField(max_length=150, blank=True)
    specialty_norm = models.CharField(max_length=200, blank=True)
    town_norm = models.CharField(max_length=150, blank=True)

    import_run = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "directory entry"
        verbose_name_plural = "directory entries"
        constraints = [
            models.UniqueConstraint(
                fields=["national_id", "activity_key"], name="directory_activity_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["name_norm"], name="dir_name"),
            models.Index(fields=["name_rev_norm"], name="dir_name_rev"),
            models.Index(fields=["profession_norm", "name_norm"], name="dir_profession"),
            models.Index(fields=["specialty_norm", "name_norm"], name="dir_specialty"),
            models.Index(
                fields=["town_norm", "profession_norm", "name_norm"], name="dir_town_profession"
            ),
            models.Index(fields=["postcode", "profession_norm"], name="dir_postcode"),
            models.Index(fields=["rpps"], name="dir_rpps"),
        ]

    def __str__(self):
        return f"{self.last_name} {self.first_name} ({self.national_id})"


# --- Renewals ---------------------------------------------------------------------------------
class RenewalStatus(models.TextChoices):
    PENDING = "pending", _("waiting for an answer")
    ACCEPTED = "accepted", _("renewed")
    MODIFIED = "modified", _("renewed with changes")
    DECLINED = "declined", _("declined")


class Renewal(models.Model):
    """A person's request that a prescriber renew one current treatment, and the answer.

    A person's data: it carries ``patient_id`` and no foreign key to any person's rows
    (``practitioner_id`` and ``asked_by_id`` are account ids, not record rows). What the
    treatment is and the prescriber's message are encrypted with the patient's key; the
    prescription itself is a MedicationRequest in the record (``issued_id``).
    """

    patient_id = models.BigIntegerField(db_index=True)
    practitioner_id = models.BigIntegerField(db_index=True)
    asked_by_id = models.BigIntegerField()
    treatment_type = models.CharField(max_length=40)
    treatment_id = models.CharField(max_length=64)
    summary = models.BinaryField()  # encrypted: the treatment as the person saw it
    status = models.CharField(
        max_length=10, choices=RenewalStatus.choices, default=RenewalStatus.PENDING
    )
    answer = models.BinaryField(null=True, blank=True)  # encrypted message of the prescriber
    issued_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "treatment_type", "treatment_id"],
                condition=models.Q(status="pending"),
                name="renewal_one_pending_per_treatment",
            ),
        ]
        indexes = [models.Index(fields=["practitioner_id", "status"], name="renewal_inbox")]


# --- Secure messaging -------------------------------------------------------------------------
class AnswerHabit(models.Model):
    """When a practitioner answers messages and how quickly (their own words; not health data)."""

    practitioner_id = models.BigIntegerField(unique=True)
    answers_when = models.CharField(max_length=200, blank=True)
    within_days = models.PositiveSmallIntegerField(default=2)
    accepts_messages = models.BooleanField(default=True)
    updated_at = models.DateTimeField()


class ConversationKind(models.TextChoices):
    PATIENT = "patient", "the person and a practitioner"
    TEAM = "team", "practitioners of the care team about the person"


class Conversation(models.Model):
    """A conversation about one person's care.

    ``patient``: between the person (or their proxy) and ``practitioner_id``. ``team``:
    between two practitioners of the person's care team (``practitioner_id`` started it,
    ``colleague_id`` is the other); the person sees in their access history who talked
    about them and when, never what. A person's data: ``patient_id``, no foreign key to
    another person's rows; the subject is encrypted with the patient's key.
    """

    patient_id = models.BigIntegerField(db_index=True)
    practitioner_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(
        max_length=8, choices=ConversationKind.choices, default=ConversationKind.PATIENT
    )
    colleague_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    started_by_id = models.BigIntegerField()
    subject = models.BinaryField()
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["practitioner_id", "-last_message_at"], name="conv_pro"),
            models.Index(fields=["patient_id", "-last_message_at"], name="conv_patient"),
        ]


class ConversationMessage(models.Model):
    """One message: its text and record references are encrypted with the patient's key.

    ``read_at`` is the read receipt: when the other side first opened it.
    """

    patient_id = models.BigIntegerField(db_index=True)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="lines")
    author_id = models.BigIntegerField()
    from_practitioner = models.BooleanField(default=False)
    body = models.BinaryField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"], name="conv_lines")]


# --- Appointments -----------------------------------------------------------------------------
class Schedule(models.Model):
    """A practitioner's published opening hours (reference data, not a person's).

    ``hours`` maps a weekday ("0" Monday … "6" Sunday) to [["09:00", "12:00"], …] in local
    time. Booking locks this row, so that two bookings with the same practitioner are
    decided one after the other.
    """

    practitioner_id = models.BigIntegerField(unique=True)
    hours = models.JSONField(default=dict)
    published = models.BooleanField(default=True)
    updated_at = models.DateTimeField()


class AppointmentType(models.Model):
    practitioner_id = models.BigIntegerField(db_index=True)
    label = models.CharField(max_length=100)
    minutes = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", _("cancelled")


class Appointment(models.Model):
    """A booking: a person's data (``patient_id``, no foreign key to another person's rows).

    At most one live booking starts at a given time with a practitioner (database
    constraint); overlaps of different lengths are refused under the schedule's lock.
    """

    patient_id = models.BigIntegerField(db_index=True)
    practitioner_id = models.BigIntegerField()
    kind = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    start = models.DateTimeField()
    end = models.DateTimeField()
    booked_by_id = models.BigIntegerField()
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Reminders sent for the current start time (0 none, 1 the day before, 2 the last
    # hours too); moving the appointment sets it back to 0.
    reminded = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner_id", "start"],
                condition=models.Q(status="booked"),
                name="appointment_no_double_booking",
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner_id", "start"], name="appt_agenda"),
            models.Index(fields=["status", "start"], name="appt_upcoming"),
        ]
