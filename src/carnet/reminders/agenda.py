"""One calendar: reminders with a date, programme steps, renewals, intakes, appointments, entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.records import dates

from . import services
from .base import DONE
from .record import local_date

VIEWS = ("day", "week", "list")


@dataclass
class Item:
    uid: str  # stable, for the iCalendar UID (blind-indexed before it leaves)
    day: dt.date
    at: dt.time | None
    title: str
    kind: str
    status: str = ""
    why: str = ""
    url: str = ""
    ends: dt.datetime | None = None  # appointments: when they end (else 30 minutes)
    cancelled: bool = False
    detail_title: str = ""  # what the feed shows when the person chose detailed titles
    when: str = ""  # a reminder's one sentence of what to do and when (Reminder.when)


def care_items(booked, start: dt.date, end: dt.date) -> list[Item]:
    """Care appointments (``appointments.of_person``) in [start, end) as agenda items."""
    out = []
    for b in booked:
        local = timezone.localtime(b.start)
        if not (start <= local.date() < end):
            continue
        title = (
            _("Appointment with %(name)s") % {"name": b.practitioner}
            if b.practitioner
            else _("Appointment")
        )
        detail = (
            _("Appointment with %(name)s (%(profession)s)")
            % {"name": b.practitioner, "profession": b.profession}
            if b.practitioner and b.profession
            else title
        )
        out.append(
            Item(
                f"appointment:care:{b.id}",
                local.date(),
                local.time(),
                title,
                "appointment",
                status="cancelled" if b.cancelled else "booked",
                why=b.kind,
                ends=timezone.localtime(b.end),
                cancelled=b.cancelled,
                detail_title=detail,
            )
        )
    return out


def _appointments(ov: services.Overview, start: dt.date, end: dt.date) -> list[Item]:
    out = []
    for a in ov.snapshot.of("Appointment"):
        if a.get("status") not in ("booked", "proposed", "pending", "arrived", "checked-in"):
            continue
        when = a.get("start")
        if not when:
            continue
        at = dates.instant(when)
        if at is None:
            continue
        local = timezone.localtime(at)
        if start <= local.date() < end:
            title = a.get("description") or _("Appointment")
            out.append(
                Item(f"appointment:{a.get('id')}", local.date(), local.time(), title, "appointment")
            )
    return out


def items(
    ov: services.Overview,
    start: dt.date,
    end: dt.date,
    *,
    intakes: bool = True,
    booked=(),
) -> list[Item]:
    """Every dated thing in [start, end), sorted by day and time.

    ``booked`` are the person's care appointments (``appointments.of_person``), read by
    the caller under its own permit; cancelled ones are kept only if the caller passed them.
    """
    out: list[Item] = care_items(booked, start, end)
    for r in ov.reminders:
        if r.day is None or r.status == DONE or r.off:
            continue
        day = r.day  # the date its sentence gives, as on every other page
        if day < ov.on and r.status in ("due", "overdue"):
            day = ov.on  # still to do: shown today, not lost in the past
        if start <= day < end:
            out.append(Item(r.key, day, None, r.title, r.kind, r.status, r.why, r.url, when=r.when))
    if intakes:
        d = start
        while d < end:
            for t in ov.treatments:
                for at in t.slots(d):
                    out.append(
                        Item(f"intake:{t.id}:{at.isoformat()}", d, at.time(), t.name, "intake")
                    )
            d += dt.timedelta(days=1)
    out += _appointments(ov, start, end)
    tz = timezone.get_current_timezone()
    for e in services.entries(
        ov.permit,
        dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(end, dt.time(0), tzinfo=tz),
    ):
        out.append(
            Item(
                f"entry:{e['id']}",
                local_date(e["at"]),
                None if e["all_day"] else e["at"].time(),
                e["title"],
                "entry",
                why=e.get("note", ""),
            )
        )
    return sorted(out, key=lambda i: (i.day, i.at or dt.time(0), i.title))


def window(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if view == "day":
        return day, day + dt.timedelta(days=1)
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=7)
    return day, day + dt.timedelta(days=90)


def by_day(
    found: list[Item], start: dt.date, end: dt.date, *, empty_days: bool
) -> list[tuple[dt.date, list[Item]]]:
    days: dict[dt.date, list[Item]] = {}
    if empty_days:
        d = start
        while d < end:
            days[d] = []
            d += dt.timedelta(days=1)
    for i in found:
        days.setdefault(i.day, []).append(i)
    return sorted(days.items())
