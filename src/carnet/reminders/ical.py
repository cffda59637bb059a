"""A private iCalendar feed (RFC 5545), written by hand: a few properties, folded and escaped.

By default an event says only « Rappel Carnet » (an appointment « Rendez-vous Carnet »,
with no practitioner's name or specialty) and links to the agenda; the person may choose
to show what each event is about. Intakes are left out (a calendar full of daily pills
helps nobody); reminders, programme steps, renewals, entries and care appointments are
in. A cancelled appointment stays in the feed as STATUS:CANCELLED for a while, so that
calendars which imported it take it out.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.vault import sealed

from . import agenda, services

PRODID = "-//Carnet//Rappels//FR"
HORIZON_DAYS = 400
PAST_DAYS = 30


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and one space (never splitting UTF-8)."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return "\r\n ".join(out)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


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
    now = timezone.now()
    uid_of = sealed.cipher(ov.permit).blind_index
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(_('Carnet reminders'))}",
    ]
    for item in agenda.items(ov, start, end, intakes=False, booked=booked):
        url = f"{base_url}{agenda_path}?vue=jour&date={item.day.isoformat()}"
        title = _title(item, show_details)
        # The UID must stay stable across fetches but say nothing: a blind index of the key.
        uid = uid_of(f"ical:{item.uid}")
        lines += ["BEGIN:VEVENT", f"UID:{uid}@carnet", f"DTSTAMP:{_stamp(now)}"]
        if item.at is None:
            lines += [
                f"DTSTART;VALUE=DATE:{item.day.strftime('%Y%m%d')}",
                f"DTEND;VALUE=DATE:{(item.day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            ]
        else:
            at = dt.datetime.combine(item.day, item.at, tzinfo=timezone.get_current_timezone())
            ends = item.ends if item.ends and item.ends > at else at + dt.timedelta(minutes=30)
            lines += [f"DTSTART:{_stamp(at)}", f"DTEND:{_stamp(ends)}"]
        lines.append(f"SUMMARY:{escape(title)}")
        desc = (item.why + "\n" if show_details and item.why else "") + url
        lines.append(f"DESCRIPTION:{escape(desc)}")
        lines.append(f"URL:{url}")
        if item.kind == "appointment":
            lines.append("STATUS:CANCELLED" if item.cancelled else "STATUS:CONFIRMED")
            lines += ["TRANSP:OPAQUE", "END:VEVENT"]
        else:
            lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
