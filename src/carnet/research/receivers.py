"""The copy follows the record: an erased account leaves it, a changed record is refreshed."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from carnet.accounts.models import Patient

from . import copy
from .models import Contribution


@receiver(post_delete, sender=Patient, dispatch_uid="research-erasure")
def _erased(sender, instance, **kwargs):
    # Closing an account deletes the Patient (records.erasure -> accounts.delete_patient).
    copy.forget(instance.pk)


@receiver(post_save, sender="records.ResourceVersion", dispatch_uid="research-stale")
def _changed(sender, instance, **kwargs):
    # Imports write in bulk (no signal): ``carnet research refresh --all`` catches those up.
    Contribution.objects.filter(patient_id=instance.patient_id, stale=False).update(stale=True)
