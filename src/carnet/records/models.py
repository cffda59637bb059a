from django.db import models


class Source(models.TextChoices):
    SELF = "self", "the person"
    PRACTITIONER = "practitioner", "a health professional"
    IMPORT = "import", "an imported file"
    API = "api", "an application using the API"


class ResourceVersion(models.Model):
    """One version of one FHIR resource of one patient, encrypted.

    Plaintext columns say only what kind of thing it is and when; the resource itself
    (names, codes, text, values) and its provenance details are AES-GCM ciphertext bound
    to (patient, type, id, version).
    """

    patient_id = models.BigIntegerField()
    resource_type = models.CharField(max_length=64)
    fhir_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()
    clinical_date = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    payload = models.BinaryField()
    provenance = models.BinaryField()
    # Set while the row belongs to an import still being written (``StagedImport``): the row
    # is not current, so nothing reads it, until the import commits and clears this.
    staged_import = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "resource_type", "fhir_id", "version"],
                name="resource_version_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["staged_import"],
                name="rv_staged",
                condition=models.Q(staged_import__isnull=False),
            ),
            models.Index(
                fields=["patient_id", "is_current", "resource_type"], name="rv_patient_current"
            ),
            models.Index(fields=["resource_type", "fhir_id", "is_current"], name="rv_type_id"),
            models.Index(
                fields=["patient_id", "is_current", "clinical_date"], name="rv_patient_date"
            ),
        ]


class StagedImport(models.Model):
    """One import being written in short batches, invisible until it commits.

    A big file is written batch by batch (each batch a short transaction, so that other
    people's pages never wait long for the database), its rows not current; one short
    transaction then makes them all current at once. Rows of an import that failed or whose
    process died are deleted by ``import_staging.discard``/``cleanup_stale``.
    """

    STAGING, COMMITTED, FAILED = "staging", "committed", "failed"

    patient_id = models.BigIntegerField()
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, default=STAGING)
    owner = models.CharField(max_length=100, blank=True)  # host:pid of the writing process
    started_at = models.DateTimeField()
    touched_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One import at a time per record.
            models.UniqueConstraint(
                fields=["patient_id"],
                condition=models.Q(state="staging"),
                name="one_staging_import_per_record",
            ),
        ]
        indexes = [
            models.Index(fields=["actor_user_id", "started_at"], name="si_actor_started"),
            models.Index(fields=["patient_id", "started_at"], name="si_patient_started"),
        ]


class SearchToken(models.Model):
    """Blind index entry: HMAC of a code or category under the patient's index key."""

    patient_id = models.BigIntegerField()
    resource_type = models.CharField(max_length=64)
    fhir_id = models.CharField(max_length=64)
    param = models.CharField(max_length=32)
    token = models.CharField(max_length=32)

    class Meta:
        indexes = [
            models.Index(
                fields=["patient_id", "resource_type", "param", "token"], name="st_lookup"
            ),
            models.Index(fields=["patient_id", "resource_type", "fhir_id"], name="st_resource"),
            # Label filters (access views) match tokens across types: covering index.
            models.Index(fields=["patient_id", "param", "token", "fhir_id"], name="st_label"),
        ]


class SharedResource(models.Model):
    """Reference data shared by every record: practitioners, organisations, locations.

    These describe professionals and places, not a person's health, and are public
    directory data, so they are stored in clear and de-duplicated by identifier.
    """

    resource_type = models.CharField(max_length=64)
    fhir_id = models.CharField(max_length=64)
    identifier = models.CharField(max_length=255, blank=True)
    body = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "fhir_id"], name="shared_id_unique"),
            models.UniqueConstraint(
                fields=["resource_type", "identifier"],
                condition=~models.Q(identifier=""),
                name="shared_identifier_unique",
            ),
        ]


class Blob(models.Model):
    """An encrypted document file (PDF, image) of a patient, stored outside the database."""

    patient_id = models.BigIntegerField()
    blob_id = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient_id"], name="blob_patient")]
