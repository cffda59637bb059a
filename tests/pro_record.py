"""A record shared with a GP, and the addresses of the practitioner's record pages."""

from __future__ import annotations

from django.urls import reverse

from carnet.access import grants, masks
from carnet.access.services import Actor

from .access_records import record_with_items
from .people import citizen, pro

GRANTED = ["problems", "results", "treatments"]


def shared_record(*, categories=GRANTED, mode="read"):
    """(owner, patient id, items, gp): the GP may see ``categories``; "diabetes" is only-me."""
    owner, pid, made = record_with_items(citizen("Karim Haddad"))
    gp = pro("Claire Garonne", "médecin généraliste", "Cabinet des Carmes")
    me = Actor.of_user(owner)
    grants.share(me, pid, gp.pk, categories=categories, duration="month", mode=mode)
    masks.set_mask(me, pid, *made["diabetes"], audience="self")
    return owner, pid, made, gp


def url(name: str, pid: int, *args) -> str:
    return reverse(f"records:pro_{name}", args=[pid, *args])
