"""Closing an account: the record is crypto-shredded, then deleted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from carnet.access import services as access
from carnet.access.services import Action, Actor
from carnet.accounts import services as accounts
from carnet.vault import services as vault

from . import documents
from .models import ResourceVersion, SearchToken, StagedImport


@dataclass
class ErasureResult:
    patient_id: int
    resources: int
    documents: int


def erase_patient(actor: Actor, patient_id: int, purpose: str) -> ErasureResult:
    """Destroy the data key first (no copy of the data decrypts after that), then delete.

    The access history stays: its entries are pseudonymous once the key is gone (their
    details were encrypted under it) and the chain still verifies. Safe to run again if
    interrupted: every step is idempotent.
    """
    access.require(actor, patient_id, Action.ERASE, purpose, what="record erased")
    vault.destroy_data_key(patient_id)
    with transaction.atomic():
        n_res = ResourceVersion.objects.filter(patient_id=patient_id).count()
        ResourceVersion.objects.filter(patient_id=patient_id).delete()
        SearchToken.objects.filter(patient_id=patient_id).delete()
        StagedImport.objects.filter(patient_id=patient_id).delete()  # with an import's rows
        n_docs = documents.delete_all(patient_id)
        accounts.delete_patient(patient_id)
    return ErasureResult(patient_id=patient_id, resources=n_res, documents=n_docs)
