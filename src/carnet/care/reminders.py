"""Appointment reminders through the notification outbox: the day before and shortly before.

``send_due`` (a Huey task every five minutes, see ``tasks``) finds live appointments
starting within a day and sends each reminder once: ``Appointment.reminded`` is claimed
by a conditional update before anything is queued, and notify's idempotency key (which
names the start time) stops a second copy even if two workers met. Moving an
appointment sets ``reminded`` back to 0 and withdraws reminders still waiting in the
outbox for the old time; cancelling withdraws them too. The messages say only that
there is an appointment and its time of day, in the recipient's time zone (no
practitioner, no specialty, no place): the rest is in the app.

Who is reminded: the person, and the relative who booked for them while they still act
for them. Each person's preferences (channels, quiet hours, digest) apply as for any
notification.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Actor, Purpose
from carnet.accounts.models import Patient, User
from carnet.notify import services as notify
from carnet.notify.models import Channel, Message, Preferences, Status

from .models import Appointment, AppointmentStatus

DAY_BEFORE = dt.timedelta(hours=24)
SOON = dt.timedelta(hours=2)
DAY, LAST_HOURS = 1, 2
EVENTS = {DAY: "appointment_tomorrow", LAST_HOURS: "appointment_soon"}
BATCH = 500


def _key(appt_id: int, level: int, start: dt.datetime) -> str:
    return f"appt-{appt_id}-remind-{level}-{start.isoformat()}"


def recipients(appt: Appointment) -> list[int]:
    """The person (owner of the record) and the proxy who booked, while still their proxy."""
    out = []
    owner = Patient.objects.filter(pk=appt.patient_id).values_list("owner_id", flat=True).first()
    if owner is not None:
        out.append(owner)
    if appt.booked_by_id != owner:
        booker = User.objects.filter(pk=appt.booked_by_id, is_active=True).first()
        if booker is not None and (
            access.purpose_for(Actor.of_user(booker), appt.patient_id) == Purpose.PROXY
        ):
            out.append(booker.pk)
    return out


def local_time(user_id: int, start: dt.datetime) -> str:
    """``start`` as HH:MM on the recipient's clock (their notification time zone)."""
    name = (
        Preferences.objects.filter(user_id=user_id).values_list("timezone", flat=True).first()
        or settings.TIME_ZONE
    )
    try:
        tz = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(settings.TIME_ZONE)
    return start.astimezone(tz).strftime("%H:%M")


def _level(appt: Appointment, now: dt.datetime) -> int:
    """Which reminder is due now (0: none): the last hours', else the day before's."""
    if appt.start <= now:
        return 0
    if appt.start - now <= SOON:
        return LAST_HOURS
    if appt.start - now <= DAY_BEFORE:
        return DAY
    return 0


def _worth_sending(appt: Appointment, level: int, now: dt.datetime) -> bool:
    """Not for a booking made inside the window (its confirmation just said it), and
    "tomorrow" only when it is tomorrow (a late worker leaves it to the last reminder)."""
    window = SOON if level == LAST_HOURS else DAY_BEFORE
    if appt.created_at > appt.start - window:
        return False
    if level == DAY:
        tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
        return timezone.localtime(appt.start).date() == tomorrow
    return True


def send_due(now: dt.datetime | None = None) -> dict:
    """Queue every reminder due now, once; returns counts (for the task's log)."""
    now = now or timezone.now()
    counts = {"reminded": 0, "skipped": 0}
    rows = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            start__gt=now,
            start__lte=now + DAY_BEFORE,
            reminded__lt=LAST_HOURS,
        )
        .only("id", "patient_id", "booked_by_id", "start", "created_at", "reminded")
        .order_by("start")[:BATCH]
    )
    for appt in rows:
        level = _level(appt, now)
        if level <= appt.reminded:
            continue
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appt.pk,
                status=AppointmentStatus.BOOKED,
                start=appt.start,
                reminded__lt=level,
            ).update(reminded=level)
            if not claimed:
                continue  # another worker, or the appointment moved or was cancelled
            if not _worth_sending(appt, level, now):
                counts["skipped"] += 1
                continue
            for user_id in recipients(appt):
                notify.notify_user(
                    user_id,
                    EVENTS[level],
                    params={"time": local_time(user_id, appt.start)},
                    key=_key(appt.pk, level, appt.start),
                    patient_id=appt.patient_id,
                    now=now,
                )
            counts["reminded"] += 1
    return counts


def withdraw(appt: Appointment, start: dt.datetime) -> int:
    """Withdraw the reminders of ``appt`` at ``start`` still waiting in the outbox.

    Call it in the transaction that moves or cancels the appointment.
    """
    keys = [
        notify._idempotency_key(user_id, channel, _key(appt.pk, level, start))
        for user_id in recipients(appt)
        for channel in Channel.values
        for level in EVENTS
    ]
    return Message.objects.filter(
        idempotency_key__in=keys, status=Status.QUEUED, event__in=EVENTS.values()
    ).update(status=Status.CANCELLED, last_error="appointment moved or cancelled")
