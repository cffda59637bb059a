"""A person's care team: the practitioners their sharing lets care for them, now.

A member holds a live grant on the record (the médecin traitant, or a practitioner the
person shared with) and ``access`` permits them to read it for care. An emergency
access does not make anyone a member. Nothing here is written or audited: the callers
decide and audit what members then do.
"""

from __future__ import annotations

from dataclasses import dataclass

from carnet.access import grants
from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts.models import User


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    profession: str
    organisation: str
    referent: bool


def members(patient_id: int) -> list[Member]:
    """The care team of a record, the médecin traitant first, then by name."""
    live = grants.live_grantees(patient_id)
    referent_ids = {uid for uid, kind in live if kind == "referent"}
    ids = {uid for uid, _kind in live}
    users = User.objects.filter(pk__in=ids, role="practitioner", is_active=True)
    out = [
        Member(u.pk, str(u), u.profession, u.organisation, u.pk in referent_ids)
        for u in users
        if access.decide(Actor.of_user(u), patient_id, Action.READ, Purpose.TREATMENT).permit
    ]
    return sorted(out, key=lambda m: (not m.referent, m.name.lower(), m.user_id))


def is_member(practitioner_id: int | None, patient_id: int) -> bool:
    return practitioner_id is not None and any(
        m.user_id == practitioner_id for m in members(patient_id)
    )
