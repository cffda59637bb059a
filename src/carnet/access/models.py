from django.db import models

GRANT_KINDS = ("referent", "care")
ACCESS_MODES = ("read", "write")
LEVEL_CODES = ("N", "R", "V")
PROXY_BASES = ("choice", "mandate", "court", "parent")
AUDIENCES = ("care_team", "referent", "self")
PURPOSES = ("self", "treatment", "emergency", "proxy", "assistance", "research", "operations")
ROLES = ("citizen", "practitioner", "advisor", "researcher", "operator")


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
    up to ``max_level``. ``expires_at`` None means until revoked.
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
