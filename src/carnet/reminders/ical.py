"""A private iCalendar feed (RFC 5545), written by hand: a few properties, folded and escaped.

By default an event says only « Rappel Carnet » and links to the agenda; the person may
choose to show what each reminder is about. Intakes are left out (a calendar full of
daily pills helps nobody); reminders, programme steps, renewals and entries are in.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.vault import services as vault

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


def render(ov: services.Overview, *, show_details: bool, base_url: str, agenda_path: str) -> bytes:
    start = ov.on - dt.timedelta(days=PAST_DAYS)
    end = ov.on + dt.timedelta(days=HORIZON_DAYS)
    now = timezone.now()
    cipher = vault.cipher(ov.patient_id)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(_('Carnet reminders'))}",
    ]
    for item in agenda.items(ov, start, end, intakes=False):
        url = f"{base_url}{agenda_path}?vue=jour&date={item.day.isoformat()}"
        title = item.title if show_details else _("Carnet reminder")
        # The UID must stay stable across fetches but say nothing: a blind index of the key.
        uid = cipher.blind_index(f"ical:{item.uid}")
        lines += ["BEGIN:VEVENT", f"UID:{uid}@carnet", f"DTSTAMP:{_stamp(now)}"]
        if item.at is None:
            lines += [
                f"DTSTART;VALUE=DATE:{item.day.strftime('%Y%m%d')}",
                f"DTEND;VALUE=DATE:{(item.day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            ]
        else:
            at = dt.datetime.combine(item.day, item.at, tzinfo=timezone.get_current_timezone())
            lines += [f"DTSTART:{_stamp(at)}", f"DTEND:{_stamp(at + dt.timedelta(minutes=30))}"]
        lines.append(f"SUMMARY:{escape(title)}")
        desc = (item.why + "\n" if show_details and item.why else "") + url
        lines.append(f"DESCRIPTION:{escape(desc)}")
        lines.append(f"URL:{url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
