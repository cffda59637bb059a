"""FHIR dates, read in one place.

A FHIR ``date`` (« 2010 », « 2010-06 », « 2010-06-15 ») names a year, a month or a day,
not a moment: it is read as a ``datetime.date`` (a partial date: its first day) and never
goes through a time zone, so a child born on 15 June 2010 is born on 15 June on every page
whatever the server's clock. A ``dateTime`` with a time, or an ``instant``, names a moment:
an aware ``datetime`` (UTC when the value gives no offset), shown in the local time zone.

    precision(value) -> "year" | "month" | "day" | "time" | None
    parse(value)     -> date | datetime | None    (a day stays a date)
    instant(value)   -> datetime | None           (its first instant: to sort and search only)
    day(value)       -> date | None               (the day it names; a moment's local day)
    whole_day(value) -> date | None               (``day``, but None for a year or month alone)
    shown(value)     -> date | datetime | None    (what a page formats: a date, or local time)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from django.utils import timezone

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISIONS = ("year", "month", "day", "time")


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse(value) -> date | datetime | None:
    """A FHIR date as a ``date``, a dateTime/instant with a time as an aware ``datetime``."""
    text = _text(value)
    if not text:
        return None
    try:
        m = _DATE.match(text)
        if m:
            year, month, day_ = m.groups()
            return date(int(year), int(month or 1), int(day_ or 1))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def precision(value) -> str | None:
    """How much the value says: "year", "month", "day" or "time" (None: not a date)."""
    if parse(value) is None:
        return None
    m = _DATE.match(_text(value))
    if not m:
        return "time"
    return PRECISIONS[sum(1 for part in m.groups() if part) - 1]


def instant(value) -> datetime | None:
    """The first instant of the value, aware: to order and search by, never to show a day."""
    parsed = parse(value)
    if isinstance(parsed, datetime) or parsed is None:
        return parsed
    return datetime.combine(parsed, time.min, tzinfo=UTC)


def day(value) -> date | None:
    """The day the value names: a date as written; a moment's day in the local time zone."""
    parsed = parse(value)
    if isinstance(parsed, datetime):
        return timezone.localtime(parsed).date()
    return parsed


def whole_day(value) -> date | None:
    """``day`` for a value that names a day or a moment; None for a year or a month alone."""
    return day(value) if precision(value) in ("day", "time") else None


def shown(value) -> date | datetime | None:
    """What a page formats: a date-only value as a ``date``, a moment in local time."""
    parsed = parse(value)
    if isinstance(parsed, datetime):
        return timezone.localtime(parsed)
    return parsed
