"""Appointments: practitioners publish hours and types; a person books, moves or cancels.

No double booking, even under concurrent requests: a booking locks the practitioner's
schedule row (``select_for_update`` on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), refuses any overlap, and a unique constraint on (practitioner, start)
of live bookings is the last word. Confirmations go through ``notify`` (no detail in the
message), reminders too (``reminders``); each booking downloads as an ``.ics`` file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import icalendar
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound
from carnet.accounts.models import User
from carnet.notify import services as notify

from . import reminders
from .models import Appointment, AppointmentStatus, AppointmentType, Schedule

HORIZON_DAYS = 28
MAX_TYPES = 10
TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


class SlotTaken(ValueError):
    """Someone booked that time first (or it is not a free slot any more)."""


class ScheduleRefused(ValueError):
    """Opening hours or types that cannot be read; the message says which."""


@dataclass(frozen=True)
class Bookable:
    user_id: int
    name: str
    profession: str
    organisation: str


# --- the practitioner publishes --------------------------------------------------------------


def parse_ranges(text: str) -> list[list[str]]:
    """ "09:00-12:00, 14:00-18:00" → [["09:00", "12:00"], ["14:00", "18:00"]]."""
    out = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        a, sep, b = part.partition("-")
        ma, mb = TIME.match(a.strip()), TIME.match(b.strip())
        if not sep or not ma or not mb:
            raise ScheduleRefused(part)
        start = f"{int(ma[1]):02d}:{ma[2]}"
        end = f"{int(mb[1]):02d}:{mb[2]}"
        if end <= start:
            raise ScheduleRefused(part)
        out.append([start, end])
    return sorted(out)


def publish(actor: Actor, hours: dict[int, list[list[str]]], types: list[tuple[str, int]]):
    """Publish opening hours (weekday → ranges) and appointment types (label, minutes)."""
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    if not types or len(types) > MAX_TYPES:
        raise ScheduleRefused("types")
    for label, minutes in types:
        if not label.strip() or not 5 <= int(minutes) <= 240:
            raise ScheduleRefused("types")
    now = timezone.now()
    with transaction.atomic():
        Schedule.objects.update_or_create(
            practitioner_id=actor.user_id,
            defaults={
                "hours": {str(d): r for d, r in hours.items() if r},
                "published": True,
                "updated_at": now,
            },
        )
        kept = []
        for label, minutes in types:
            t, _new = AppointmentType.objects.update_or_create(
                practitioner_id=actor.user_id,
                label=label.strip()[:100],
                minutes=int(minutes),
                defaults={"active": True},
            )
            kept.append(t.pk)
        AppointmentType.objects.filter(practitioner_id=actor.user_id).exclude(pk__in=kept).update(
            active=False
        )


def schedule_of(practitioner_id: int) -> tuple[Schedule | None, list[AppointmentType]]:
    schedule = Schedule.objects.filter(practitioner_id=practitioner_id, published=True).first()
    types = list(
        AppointmentType.objects.filter(practitioner_id=practitioner_id, active=True).order_by(
            "minutes", "label"
        )
    )
    return schedule, types


def bookable(name: str = "") -> list[Bookable]:
    """Practitioners who take appointments on Carnet (optionally whose name contains ``name``)."""
    ids = Schedule.objects.filter(published=True).values_list("practitioner_id", flat=True)
    users = User.objects.filter(pk__in=ids, role="practitioner", is_active=True)
    if name.strip():
        users = users.filter(display_name__icontains=name.strip())
    return [
        Bookable(u.pk, str(u), u.profession, u.organisation)
        for u in users.order_by("display_name")[:50]
    ]


# --- slots ------------------------------------------------------------------------------------


def _local(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=timezone.get_current_timezone())


def _candidates(schedule: Schedule, minutes: int, day: dt.date) -> list[dt.datetime]:
    out = []
    step = dt.timedelta(minutes=minutes)
    for a, b in schedule.hours.get(str(day.weekday()), []):
        at, end = _local(day, a), _local(day, b)
        while at + step <= end:
            out.append(at)
            at += step
    return out


def _busy(practitioner_id: int, start: dt.datetime, end: dt.datetime, exclude=None):
    qs = Appointment.objects.filter(
        practitioner_id=practitioner_id,
        status=AppointmentStatus.BOOKED,
        start__lt=end,
        end__gt=start,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs


def free_slots(
    practitioner_id: int, type_id: int, days: int = 14, *, now=None, exclude=None
) -> dict[dt.date, list[dt.datetime]]:
    """Free start times per day from tomorrow's first hour onwards… and today's later ones."""
    schedule, types = schedule_of(practitioner_id)
    kind = next((t for t in types if t.pk == type_id), None)
    if schedule is None or kind is None:
        raise NotFound()
    now = now or timezone.now()
    first = timezone.localtime(now).date()
    last = first + dt.timedelta(days=min(days, HORIZON_DAYS))
    window_end = _local(last, "23:59")
    taken = list(
        _busy(practitioner_id, now, window_end, exclude=exclude).values_list("start", "end")
    )
    step = dt.timedelta(minutes=kind.minutes)
    out: dict[dt.date, list[dt.datetime]] = {}
    day = first
    while day < last:
        for at in _candidates(schedule, kind.minutes, day):
            if at <= now or any(s < at + step and e > at for s, e in taken):
                continue
            out.setdefault(day, []).append(at)
        day += dt.timedelta(days=1)
    return out


def _is_slot(schedule: Schedule, kind: AppointmentType, start: dt.datetime, now) -> bool:
    local = timezone.localtime(start)
    return start > now and local in _candidates(schedule, kind.minutes, local.date())


# --- booking ----------------------------------------------------------------------------------


def _person_purpose(actor: Actor, patient_id: int, what: str = "appointment") -> str:
    """Self or proxy; anyone else is refused, in the person's history (access.person_side)."""
    return access.person_side(actor, patient_id, Action.APPOINTMENTS, what=what)


def _locked_schedule(practitioner_id: int) -> Schedule:
    # The lock that serialises bookings with one practitioner (PostgreSQL); SQLite's
    # IMMEDIATE transactions already hold the database's write lock here.
    schedule = Schedule.objects.select_for_update().filter(practitioner_id=practitioner_id).first()
    if schedule is None or not schedule.published:
        raise NotFound()
    return schedule


def book(
    actor: Actor, patient_id: int, practitioner_id: int, type_id: int, start: dt.datetime
) -> Appointment:
    """Book ``start`` for the person (or as their proxy with the appointments permission)."""
    purpose = _person_purpose(actor, patient_id)
    decision = access.require(
        actor, patient_id, Action.APPOINTMENTS, purpose, audit_now=False, what="appointment"
    )
    kind = AppointmentType.objects.filter(
        pk=type_id, practitioner_id=practitioner_id, active=True
    ).first()
    if kind is None:
        raise NotFound()
    now = timezone.now()
    end = start + dt.timedelta(minutes=kind.minutes)
    try:
        with transaction.atomic():
            schedule = _locked_schedule(practitioner_id)
            if not _is_slot(schedule, kind, start, now):
                raise SlotTaken("not a slot")
            if _busy(practitioner_id, start, end).exists():
                raise SlotTaken("taken")
            appt = Appointment.objects.create(
                patient_id=patient_id,
                practitioner_id=practitioner_id,
                kind=kind,
                start=start,
                end=end,
                booked_by_id=actor.user_id,
                created_at=now,
            )
            access.record(actor, patient_id, Action.APPOINTMENTS, purpose, decision, what="booked")
            _tell(appt, "appointment_booked", f"appt-{appt.pk}-booked")
    except (IntegrityError, OperationalError) as exc:
        # The constraint (or a writer that held the lock too long) said no: taken.
        raise SlotTaken("taken") from exc
    return appt


def _tell(appt: Appointment, event: str, key: str) -> None:
    notify.notify_patient(appt.patient_id, event, key=key)
    notify.notify_user(appt.practitioner_id, event, key=f"{key}-pro")


def _mine(actor: Actor, appointment_id: int) -> tuple[Appointment, str | None]:
    """(appointment, purpose) for the person or their proxy; (appointment, None) for its practitioner."""
    appt = Appointment.objects.filter(pk=appointment_id).first()
    if appt is None or actor.user_id is None:
        raise NotFound()
    if actor.role == "practitioner":
        if appt.practitioner_id != actor.user_id:
            raise NotFound()
        return appt, None
    return appt, _person_purpose(actor, appt.patient_id)


def move(actor: Actor, appointment_id: int, start: dt.datetime) -> Appointment:
    """Move a live booking to another free slot of the same type (the person's side)."""
    appt, purpose = _mine(actor, appointment_id)
    if purpose is None:
        raise NotFound()
    decision = access.require(
        actor, appt.patient_id, Action.APPOINTMENTS, purpose, audit_now=False, what="appointment"
    )
    now = timezone.now()
    end = start + dt.timedelta(minutes=appt.kind.minutes)
    try:
        with transaction.atomic():
            schedule = _locked_schedule(appt.practitioner_id)
            appt = Appointment.objects.select_for_update().get(pk=appt.pk)
            if appt.status != AppointmentStatus.BOOKED:
                raise NotFound()
            if not _is_slot(schedule, appt.kind, start, now):
                raise SlotTaken("not a slot")
            if _busy(appt.practitioner_id, start, end, exclude=appt.pk).exists():
                raise SlotTaken("taken")
            reminders.withdraw(appt, appt.start)
            appt.start, appt.end, appt.reminded = start, end, 0
            appt.save(update_fields=["start", "end", "reminded"])
            access.record(
                actor, appt.patient_id, Action.APPOINTMENTS, purpose, decision, what="moved"
            )
            _tell(appt, "appointment_moved", f"appt-{appt.pk}-moved-{start.isoformat()}")
    except (IntegrityError, OperationalError) as exc:
        raise SlotTaken("taken") from exc
    return appt


def cancel(actor: Actor, appointment_id: int) -> Appointment:
    """Cancel a live booking (the person, their proxy, or the practitioner)."""
    appt, purpose = _mine(actor, appointment_id)
    decision = None
    if purpose is not None:
        decision = access.require(
            actor,
            appt.patient_id,
            Action.APPOINTMENTS,
            purpose,
            audit_now=False,
            what="appointment",
        )
    with transaction.atomic():
        done = Appointment.objects.filter(pk=appt.pk, status=AppointmentStatus.BOOKED).update(
            status=AppointmentStatus.CANCELLED, cancelled_at=timezone.now()
        )
        if done and decision is not None:
            access.record(
                actor, appt.patient_id, Action.APPOINTMENTS, purpose, decision, what="cancelled"
            )
        if done:
            reminders.withdraw(appt, appt.start)
            _tell(appt, "appointment_cancelled", f"appt-{appt.pk}-cancelled")
    appt.refresh_from_db()
    return appt


def for_person(actor: Actor, patient_id: int) -> list[Appointment]:
    purpose = _person_purpose(actor, patient_id, "appointments")
    access.require(actor, patient_id, Action.APPOINTMENTS, purpose, what="appointments")
    return list(
        Appointment.objects.filter(patient_id=patient_id, status=AppointmentStatus.BOOKED)
        .select_related("kind")
        .order_by("start")[:100]
    )


def agenda(actor: Actor, days: int = 14) -> list[Appointment]:
    """The practitioner's coming bookings."""
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    now = timezone.now()
    return list(
        Appointment.objects.filter(
            practitioner_id=actor.user_id,
            status=AppointmentStatus.BOOKED,
            end__gt=now,
            start__lt=now + dt.timedelta(days=days),
        )
        .select_related("kind")
        .order_by("start")
    )


def get(actor: Actor, appointment_id: int) -> Appointment:
    return _mine(actor, appointment_id)[0]


# --- .ics --------------------------------------------------------------------------------------


def ics(appt: Appointment, *, practitioner: str, where: str = "") -> bytes:
    """One booking as an iCalendar file (RFC 5545, written by the icalendar library)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Carnet//Rendez-vous//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"appointment-{appt.pk}@carnet")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appt.start)
    event.add("dtend", appt.end)
    event.add("summary", _("Appointment with %(name)s") % {"name": practitioner})
    event.add("status", "CANCELLED" if appt.status == AppointmentStatus.CANCELLED else "CONFIRMED")
    if where:
        event.add("location", where)
    cal.add_component(event)
    return cal.to_ical()
