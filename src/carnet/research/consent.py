"""The person decides: contributing is off until they turn it on, per purpose, at any time."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor

from . import copy
from .models import PURPOSES, Contribution


def choices(patient_id: int) -> dict[str, bool]:
    """The person's current choice per purpose (False when they never chose)."""
    c = Contribution.objects.filter(patient_id=patient_id).first()
    return {p: bool(c and getattr(c, p)) for p in PURPOSES}


def set_choice(actor: Actor, patient_id: int, purpose: str, on: bool) -> dict[str, bool]:
    """Turn one purpose on or off (the person or a proxy who manages the record; NotFound
    for anyone else). Turning on fills the copy from the record; turning off takes the person
    out of every later figure of that purpose at once, and out of the copy when nothing is
    left on. Written to the person's access history."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    action = Action.GRANT if on else Action.REVOKE
    decision, used = access.authorize_consent(actor, patient_id, action)
    what = f"contribution to {'research' if purpose == 'research' else 'epidemic watch'}"
    with transaction.atomic():
        c = Contribution.objects.select_for_update().filter(patient_id=patient_id).first()
        if c is None:
            if not on:
                access.record(actor, patient_id, action, used, decision, what=what)
                return choices(patient_id)
            c = Contribution(patient_id=patient_id)
        setattr(c, purpose, on)
        c.changed_at = timezone.now()
        c.stale = True
        c.save()
        copy.follow_choice(c)
        access.record(actor, patient_id, action, used, decision, what=what)
    if not (c.research or c.watch):
        copy.forget(patient_id)
    elif on:
        copy.refresh(patient_id)
    return choices(patient_id)
