"""A private iCalendar feed (RFC 5545), written by the ``icalendar`` library.

By default an event says only « Rappel Carnet » (an appointment « Rendez-vous Carnet »,
with no practitioner's name or specialty) and links to the agenda; the person may choose
to show what each event is about. Intakes are left out (a calendar full of daily pills
helps nobody); reminders, programme steps, renewals, entries and care appointments are
in. A cancelled appointment stays in the feed as STATUS:CANCELLED for a while, so that
calendars which imported it take it out.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.vault import sealed

from . import agenda, services

PRODID = "-//Carnet//Rappels//FR"
HORIZON_DAYS = 400
PAST_DAYS = 30


def window(on: dt.date) -> tuple[dt.date, dt.date]:
    """The days the feed covers: a month back (so that calendars see recent changes) to ahead."""
    return on - dt.timedelta(days=PAST_DAYS), on + dt.timedelta(days=HORIZON_DAYS)


def _title(item: agenda.Item, show_details: bool) -> str:
    if item.kind == "appointment":
        return (item.detail_title or item.title) if show_details else _("Carnet appointment")
    return item.title if show_details else _("Carnet reminder")


def render(
    ov: services.Overview,
    *,
    show_details: bool,
    base_url: str,
    agenda_path: str,
    booked=(),
) -> bytes:
    start, end = window(ov.on)
    now = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    cipher = sealed.cipher(ov.permit)
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Carnet reminders"))
    for item in agenda.items(ov, start, end, intakes=False, booked=booked):
        url = f"{base_url}{agenda_path}?vue=jour&date={item.day.isoformat()}"
        event = icalendar.Event()
        # The UID must stay stable across fetches but say nothing: a blind index of the key.
        event.add("uid", f"{cipher.blind_index(f'ical:{item.uid}')}@carnet")
        event.add("dtstamp", now)
        if item.at is None:
            event.add("dtstart", item.day)  # a whole day: VALUE=DATE, never a time zone
            event.add("dtend", item.day + dt.timedelta(days=1))
        else:
            at = dt.datetime.combine(item.day, item.at, tzinfo=timezone.get_current_timezone())
            ends = item.ends if item.ends and item.ends > at else at + dt.timedelta(minutes=30)
            event.add("dtstart", at.astimezone(dt.UTC))
            event.add("dtend", ends.astimezone(dt.UTC))
        event.add("summary", _title(item, show_details))
        event.add("description", (item.why + "\n" if show_details and item.why else "") + url)
        event.add("url", url)
        if item.kind == "appointment":
            event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
            event.add("transp", "OPAQUE")
        else:
            event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
