from django.db import models

GRANT_KINDS = ("referent", "care", "app")  # app: an app of the catalogue (carnet.smart)
ACCESS_MODES = ("read", "write")
LEVEL_CODES = ("N", "R", "V")
PROXY_BASES = ("choice", "mandate", "court", "parent")
AUDIENCES = ("care_team", "referent", "self")
PURPOSES = (
    "self",
    "treatment",
    "emergency",
    "proxy",
    "assistance",
    "research",
    "operations",
    "app",
)
ROLES = ("citizen", "practitioner", "advisor", "researcher", "operator", "app")


class AuditEntry(models.Model):
    """One link of a patient's append-only, hash-chained access history.

    Public fields say what kind of thing happened; ``details`` (who by name, which item,
    why in words) is encrypted under the patient's data key. The hash covers the
    ciphertext, so after erasure the entries stay verifiable yet become pseudonymous.
    """

    patient_id = models.BigIntegerField()
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=20)
    purpose = models.CharField(max_length=20)
    decision = models.CharField(max_length=6)
    resource_type = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField(default=0)
    details = models.BinaryField()
    # Set for accesses a person should review (break the glass): public so that the
    # history can be filtered on it, and covered by the entry hash.
    flagged = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient_id", "seq"], name="audit_seq_unique"),
            models.CheckConstraint(
                condition=models.Q(purpose__in=PURPOSES), name="audit_purpose_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(actor_role__in=ROLES), name="audit_role_is_known"
            ),
        ]
        indexes = [
            models.Index(fields=["patient_id", "-seq"], name="audit_patient_seq"),
            # "Has this practitioner looked before?" (first-look notice) on every permit.
            models.Index(fields=["patient_id", "actor_id", "decision"], name="audit_patient_actor"),
        ]


class AuditHead(models.Model):
    """The latest link of each chain, so that cutting entries off the end is noticed too."""

    patient_id = models.BigIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)


# --- The Coffre: who may see what ---------------------------------------------------------
#
# Every row carries the ``patient_id`` of the person it protects and no foreign key to
# another person's rows (Citus can distribute by patient). People on the other side
# (practitioners, relatives) are account ids. Choice fields are closed by database
# constraints: no grant, proxy or purpose can name a bank, an insurer, an employer or a
# marketer, even if a bug or a raw SQL statement tried.


class Grant(models.Model):
    """A practitioner's access to one person's record, given by that person.

    ``kind`` is ``referent`` for the médecin traitant (the whole record except what the
    person masks even from them; one live at a time) or ``care`` for any other
    practitioner, limited to ``categories`` (bitmask of ``labels.CATEGORIES``) and items
    up to ``max_level``. ``expires_at`` None means until revoked. ``app``: an app of the
    catalogue the person connected (``grantee_id`` is minus the app's catalogue id, so that
    it is never an account's id).
    """

    patient_id = models.BigIntegerField()
    grantee_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    categories = models.PositiveIntegerField()
    max_level = models.CharField(max_length=1)
    mode = models.CharField(max_length=5, default="read")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=GRANT_KINDS), name="grant_kind"),
            models.CheckConstraint(condition=models.Q(mode__in=ACCESS_MODES), name="grant_mode"),
            models.CheckConstraint(
                condition=models.Q(max_level__in=LEVEL_CODES), name="grant_level"
            ),
            models.CheckConstraint(
                condition=models.Q(categories__gt=0, categories__lt=512), name="grant_categories"
            ),
            models.UniqueConstraint(
                fields=["patient_id"],
                condition=models.Q(kind="referent", revoked_at__isnull=True),
                name="one_live_referent",
            ),
        ]
        indexes = [models.Index(fields=["patient_id", "grantee_id"], name="grant_lookup")]


class Proxy(models.Model):
    """A relative acting for the person (a caregiver, a legal representative, a parent).

    ``permissions`` is a bitmask of ``proxies.Permission``; ``basis`` the legal ground.
    For a parent of a minor, ``expires_at`` is the child's 18th birthday: the parent's
    authority ends at majority, and from three years before it (15) the child may keep
    chosen care confidential from parents.
    """

    patient_id = models.BigIntegerField()
    proxy_id = models.BigIntegerField()
    permissions = models.PositiveIntegerField()
    basis = models.CharField(max_length=10)
    max_level = models.CharField(max_length=1, default="N")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(basis__in=PROXY_BASES), name="proxy_basis"),
            models.CheckConstraint(
                condition=models.Q(max_level__in=LEVEL_CODES), name="proxy_level"
            ),
            models.CheckConstraint(
                condition=models.Q(permissions__gt=0, permissions__lt=16),
                name="proxy_permissions",
            ),
        ]
        indexes = [models.Index(fields=["patient_id", "proxy_id"], name="proxy_lookup")]


class ItemMask(models.Model):
    """The person's choice for one item: who besides them may see it.

    The audience is a small code that says nothing about the person's health (whether an
    item is masked, not why); the item is named by type and id, already public columns.
    """

    patient_id = models.BigIntegerField()
    resource_type = models.CharField(max_length=64)
    fhir_id = models.CharField(max_length=64)
    audience = models.CharField(max_length=10, default="care_team")
    hide_in_emergency = models.BooleanField(default=False)
    hide_from_parents = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "resource_type", "fhir_id"], name="mask_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(audience__in=AUDIENCES), name="mask_audience"
            ),
        ]


class EmergencyAccess(models.Model):
    """A break-the-glass session: one practitioner, one record, a few hours.

    The stated reason may say something about the person's health, so it is encrypted
    under the person's key (context ``emergency/<id>``); ``via`` says whether it was
    declared or opened with the emergency card.
    """

    patient_id = models.BigIntegerField()
    practitioner_id = models.BigIntegerField()
    via = models.CharField(max_length=8)
    reason = models.BinaryField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(via__in=("declared", "card")), name="emergency_via"
            ),
        ]
        indexes = [models.Index(fields=["patient_id", "practitioner_id"], name="emergency_lookup")]


class EmergencySettings(models.Model):
    """The person's emergency choices: refusal in advance, and their emergency card.

    Only the SHA-256 of the card token is kept: the database alone cannot open anything.
    """

    patient_id = models.BigIntegerField(primary_key=True)
    refuse = models.BooleanField(default=False)
    card_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    card_hint = models.CharField(max_length=16, blank=True)
    card_created_at = models.DateTimeField(null=True, blank=True)


# --- Access on request ---------------------------------------------------------------------
#
# A practitioner never looks a person up: they type what the person gave them (an email
# address or a share code) and a reason, and the person decides. What the practitioner
# sees of a request is the same whether or not anyone matched (see ``requests``).

REQUEST_STATUSES = ("pending", "approved", "refused", "expired", "cancelled")
REQUEST_DURATIONS = ("consultation", "month", "year", "until_revoked")


class ShareCode(models.Model):
    """A short code the person gives a practitioner so that they can ask for access.

    One live code per person. Only the SHA-256 of the code is kept (with its last
    characters, so the person recognises it); the code lets someone *ask*, never see.
    """

    patient_id = models.BigIntegerField(primary_key=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()


class AccessRequest(models.Model):
    """A practitioner's request to see part of a record, answered by the person.

    ``patient_id`` is None when nobody matched what the practitioner typed: the row is
    kept so that their list looks the same either way. ``target_digest`` (HMAC of what
    was typed) lets a repeated request be recognised without keeping the address;
    ``target_hint`` is a shortened form the practitioner typed themself. The reason is
    encrypted under the person's key (context ``request/<id>``): it may name a condition.
    ``reply_code`` is the short number of the SMS answer ("OUI 4821"); a request is
    answered once (a conditional update from ``pending``), so an answer cannot be
    replayed, and not after ``expires_at``.
    """

    practitioner_id = models.BigIntegerField()
    patient_id = models.BigIntegerField(null=True, blank=True)
    target_digest = models.CharField(max_length=64)
    target_hint = models.CharField(max_length=80)
    reason = models.BinaryField(default=b"")
    categories = models.PositiveIntegerField()
    max_level = models.CharField(max_length=1, default="N")
    mode = models.CharField(max_length=5, default="read")
    duration = models.CharField(max_length=16, default="month")
    reply_code = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=10, default="pending")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    # The practitioner took the request back (kept apart from ``status`` so that taking
    # back a refused request looks the same as taking back one still waiting).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    grant_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=REQUEST_STATUSES), name="request_status"
            ),
            models.CheckConstraint(
                condition=models.Q(max_level__in=LEVEL_CODES), name="request_level"
            ),
            models.CheckConstraint(condition=models.Q(mode__in=ACCESS_MODES), name="request_mode"),
            models.CheckConstraint(
                condition=models.Q(duration__in=REQUEST_DURATIONS), name="request_duration"
            ),
            models.CheckConstraint(
                condition=models.Q(categories__gt=0, categories__lt=512),
                name="request_categories",
            ),
            models.UniqueConstraint(
                fields=["patient_id", "reply_code"],
                condition=models.Q(status="pending"),
                name="request_pending_code_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["patient_id", "status"], name="request_patient"),
            models.Index(fields=["practitioner_id", "-created_at"], name="request_practitioner"),
        ]


class MinorInvitation(models.Model):
    """An invitation for a minor of 15 or more to a login of their own on the record a
    parent created for them (see ``minors``).

    Sent by a parent who manages the record or by a practitioner the record is shared
    with, to the address the minor will sign in with. Only the SHA-256 of the link's token
    is kept; the link works once, until ``expires_at``, and only while the record has no
    login of its own. A newer invitation replaces the previous one.
    """

    patient_id = models.BigIntegerField()
    digest = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    invited_by = models.BigIntegerField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient_id"], name="minor_invitation_patient")]


# --- Assisted at a public help point ---------------------------------------------------------

ASSIST_SCOPES = ("read", "import", "reminders", "share")
ASSIST_CHOSEN_ON = ("app", "sms", "desk")  # "desk": a paper code, chosen on the advisor's screen
ASSIST_MAX_MINUTES = 30


class AssistanceSession(models.Model):
    """An advisor at a public help point helping the person present (France Services, a
    mairie, a CPAM office): opened with a one-time code the person gave, limited to what the
    person chose (``scopes``, comma-separated ``ASSIST_SCOPES``), 30 minutes at most, ended by
    either side at any moment. ``helper`` and ``place`` are what the person reads in their
    history (« Claire D. », « France Services de Muret »)."""

    patient_id = models.BigIntegerField()
    advisor_id = models.BigIntegerField()
    helper = models.CharField(max_length=150)
    place = models.CharField(max_length=150)
    scopes = models.CharField(max_length=60)
    chosen_on = models.CharField(max_length=5)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chosen_on__in=ASSIST_CHOSEN_ON), name="assist_chosen_on"
            ),
            # The 30-minute cap is the service's (access.assistance.open_session); the
            # database checks only plain comparisons: a check calling one of Django's SQLite
            # functions would make the file unreadable to sqlite3 itself (backups verify it).
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="assist_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["patient_id", "advisor_id"], name="assist_lookup"),
            models.Index(fields=["advisor_id", "ended_at"], name="assist_by_advisor"),
        ]
