"""The directory page's service: find practitioners, and say how the person can reach each one.

A listing of someone who uses Carnet (same RPPS as an active practitioner account) says
whether the person can book with them (published hours and appointment types) and write
to them (a member of the person's care team who accepts messages), or else that sharing
the record with them comes first. Counting every match of a broad search over millions
of listings costs more than the search itself, so only ``PAGE`` listings are read, plus
one to know there are more.
"""

from __future__ import annotations

from dataclasses import dataclass

from carnet.access import services as access
from carnet.access.services import Action, Actor

from . import directory, messaging
from .models import AppointmentType, Schedule

PAGE = 30


@dataclass(frozen=True)
class Found:
    listing: directory.Listing
    bookable: bool = False
    writable: bool = False
    share_first: bool = False  # on Carnet, but the person shares nothing with them yet


@dataclass(frozen=True)
class Results:
    rows: list[Found]
    more: bool


def _bookable(user_ids: set[int]) -> set[int]:
    published = set(
        Schedule.objects.filter(practitioner_id__in=user_ids, published=True).values_list(
            "practitioner_id", flat=True
        )
    )
    return set(
        AppointmentType.objects.filter(practitioner_id__in=published, active=True).values_list(
            "practitioner_id", flat=True
        )
    )


def find(
    actor: Actor,
    patient_id: int | None,
    *,
    q: str = "",
    profession: str = "",
    specialty: str = "",
    town: str = "",
    limit: int = PAGE,
) -> Results:
    """Listings matching every criterion (accent-insensitive), and how to reach each one.

    ``patient_id`` is the record the person acts on (their own or a relative's), or None
    for an account without one: then nobody is marked as reachable.
    """
    result = directory.search(
        q=q, profession=profession, specialty=specialty, town=town, limit=limit, count=False
    )
    on_carnet = {e.user_id for e in result.entries if e.user_id}
    bookable: set[int] = set()
    writable: set[int] = set()
    may_share = False
    if patient_id is not None and on_carnet:
        purpose = access.person_side(actor, patient_id, Action.APPOINTMENTS, what="directory")
        # Acting for a relative: booking needs the appointments permission.
        if access.decide(actor, patient_id, Action.APPOINTMENTS, purpose).permit:
            bookable = _bookable(on_carnet)
        writable = {c.user_id for c in messaging.counterparts(actor, patient_id)}
        may_share = access.decide(actor, patient_id, Action.GRANT, purpose).permit
    rows = [
        Found(
            listing=e,
            bookable=e.user_id in bookable,
            writable=e.user_id in writable,
            share_first=bool(e.user_id) and may_share and e.user_id not in writable,
        )
        for e in result.entries
    ]
    return Results(rows=rows, more=result.more)
