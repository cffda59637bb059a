"""The person's care appointments (booked with practitioners on Carnet) for the agenda and feed.

``care`` keeps the bookings; this reads them for one record and one window, after
``access`` permits the ``appointments`` action for the person themself or a proxy who
may manage appointments (deny by default: anyone else sees none). Cancelled bookings are
read only for the feed, so that calendars that imported them mark them CANCELLED.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts.models import User
from carnet.care.models import Appointment, AppointmentStatus


@dataclass(frozen=True)
class Booked:
    id: int
    start: dt.datetime
    end: dt.datetime
    cancelled: bool
    practitioner: str
    profession: str
    kind: str


def of_person(
    actor: Actor,
    patient_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    cancelled: bool = False,
    audited: bool = True,
) -> list[Booked]:
    """Bookings of the record that start in [start, end); [] when the actor may not see them.

    A permitted read is audited (``audited=False`` only where it goes with a record read
    audited in the same computation: the reminders' ticks); a proxy without the
    appointments permission simply gets no appointment (nothing was read, nothing to record).
    """
    purpose = access.purpose_for(actor, patient_id)
    if purpose not in (Purpose.SELF, Purpose.PROXY):
        return []
    decision = access.decide(actor, patient_id, Action.APPOINTMENTS, purpose)
    if not decision.permit:
        return []
    rows = Appointment.objects.filter(patient_id=patient_id, start__gte=start, start__lt=end)
    if not cancelled:
        rows = rows.filter(status=AppointmentStatus.BOOKED)
    rows = list(rows.select_related("kind").order_by("start")[:500])
    if not rows:
        return []
    if audited:
        access.record(
            actor,
            patient_id,
            Action.APPOINTMENTS,
            purpose,
            decision,
            what="appointments in the agenda",
        )
    pros = {
        u.pk: u
        for u in User.objects.filter(pk__in={r.practitioner_id for r in rows}).only(
            "pk", "display_name", "email", "profession"
        )
    }
    out = []
    for r in rows:
        pro = pros.get(r.practitioner_id)
        out.append(
            Booked(
                id=r.pk,
                start=r.start,
                end=r.end,
                cancelled=r.status != AppointmentStatus.BOOKED,
                practitioner=str(pro) if pro else "",
                profession=getattr(pro, "profession", "") or "",
                kind=r.kind.label if r.kind_id else "",
            )
        )
    return out


def between_days(
    actor: Actor,
    patient_id: int,
    first: dt.date,
    end: dt.date,
    *,
    cancelled: bool = False,
    audited: bool = True,
) -> list[Booked]:
    """``of_person`` for the local days [first, end)."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return of_person(
        actor,
        patient_id,
        dt.datetime.combine(first, dt.time(0), tzinfo=tz),
        dt.datetime.combine(end, dt.time(0), tzinfo=tz),
        cancelled=cancelled,
        audited=audited,
    )
