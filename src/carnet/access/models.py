from django.db import models


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
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient_id", "seq"], name="audit_seq_unique")
        ]
        indexes = [models.Index(fields=["patient_id", "-seq"], name="audit_patient_seq")]


class AuditHead(models.Model):
    """The latest link of each chain, so that cutting entries off the end is noticed too."""

    patient_id = models.BigIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)
