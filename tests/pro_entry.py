"""Shared by the ``test_pro_entry_*`` files: a person who shares their record with a GP,
in writing or reading, for some kinds of items."""

from __future__ import annotations

from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.records import entries

from .people import citizen, pro


def shared_in_writing(*, categories=("measurements",), mode="write", name="Karim Haddad"):
    """(owner, patient id, gp): the GP may read ``categories`` and, in ``write`` mode, add to them."""
    owner = citizen(name)
    pid = accounts.patient_of(owner).pk
    me = Actor.of_user(owner)
    entries.own_patient(me, pid)
    gp = pro("Dr Claire Garonne", "médecin généraliste", "Cabinet des Carmes")
    grants.share(me, pid, gp.pk, categories=list(categories), duration="month", mode=mode)
    return owner, pid, gp


def url(pid: int, kind: str | None = None) -> str:
    if kind is None:
        return reverse("records:pro_entry_index", args=[pid])
    return reverse("records:pro_entry_add", args=[pid, kind])
