from django.db import models


class DataKey(models.Model):
    """One patient's AES-256-GCM data key, wrapped by a master key (stored in the key store)."""

    patient_id = models.BigIntegerField(unique=True)
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key of patient {self.patient_id}"
