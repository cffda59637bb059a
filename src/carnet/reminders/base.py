"""What every engine returns: a reminder with its rule, source, due date and status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language_bidi, gettext
from django.utils.translation import gettext_lazy as _

from carnet.records import words

DONE, UPCOMING, DUE, OVERDUE = "done", "upcoming", "due", "overdue"
STATUSES = {
    OVERDUE: _("overdue"),
    DUE: _("due"),
    UPCOMING: _("upcoming"),
    DONE: _("up to date"),
}
KINDS = {
    "vaccination": _("Vaccination"),
    "programme": _("Follow-up"),
    "renewal": _("Prescription renewal"),
    "stale": _("To keep up to date"),
}
# Most pressing first.
ORDER = {OVERDUE: 0, DUE: 1, UPCOMING: 2, DONE: 3}


@dataclass
class Reminder:
    kind: str  # vaccination | programme | renewal | stale
    rule: str  # "<rule file>/<rule id>[/<step>]"
    key: str  # stable identity of this occurrence (snooze, notifications, calendar UID)
    title: str
    why: str  # "calendrier vaccinal 2025 : rappel dTP à 45 ans"
    source: str
    version: str
    due: date | None
    status: str
    suggestion: bool = False
    done_on: date | None = None
    detail: str = ""
    url: str = ""
    snoozed_until: date | None = None
    off: bool = False
    extra: dict = field(default_factory=dict)
    plain: str = ""  # the same in everyday words, when the title is a medical term
    reason: str = ""  # why it exists, in one plain sentence (the source says who asks)
    until: date | None = None  # the end of its window: late after this day
    booked_on: date | None = None  # a care appointment booked for it ticks it (that day)
    done_precision: str = "day"  # "year"/"month": done_on is all its source said (« 1975 »)

    @property
    def heading(self) -> str:
        """What a person reads first: the plain words, else the title."""
        return self.plain or self.title

    @property
    def day(self) -> date | None:
        """The one date of this reminder: the one its sentence (``when``) gives, on every page,
        in the agenda and the feed (done or booked on; a renewal's end; to do from; to do
        before or late since the end of its window)."""
        if self.kind == "renewal" and self.until:
            return self.done_on if self.status == DONE else self.until
        if self.status == DONE:
            return self.booked_on or self.done_on
        if self.status in (DUE, OVERDUE):
            return self.until or self.due
        return self.due

    @property
    def when(self) -> str:
        """What to do and when, as one sentence ("To do before 12 December 2026.")."""
        return when_text(self)

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def active(self) -> bool:
        """Worth telling the person about: not done, not turned off."""
        return self.status in (DUE, OVERDUE) and not self.off

    def as_json(self) -> dict:
        d = asdict(self)
        for k in ("due", "done_on", "snoozed_until", "until", "booked_on"):
            d[k] = d[k].isoformat() if d[k] else None
        d.pop("extra", None)
        return d


def _day(d: date) -> str:
    return date_format(d, "DATE_FORMAT")


def _name(r: Reminder) -> str:
    """The reminder's name in a sentence; isolated on a right-to-left page, so that a French
    medicine's name keeps its order and brackets in an Arabic sentence (« Apixaban (Eliquis) »)."""
    return f"\u2068{r.title}\u2069" if get_language_bidi() else r.title


def when_text(r: Reminder) -> str:
    """One sentence that says what to do and when, right for every status.

    The status already compares the day with the window (``status_for``): late means the
    window ended (``until``), due means it is open and ends at ``until`` if it ends."""
    if r.kind == "renewal" and r.until:
        if r.status == OVERDUE:
            return gettext("%(name)s: the prescription ended on %(date)s, ask for its renewal.") % {
                "name": _name(r),
                "date": _day(r.until),
            }
        if r.status == DONE:
            if r.done_on:
                return gettext("%(name)s: renewal asked on %(date)s, waiting for the answer.") % {
                    "name": _name(r),
                    "date": _day(r.done_on),
                }
            return ""
        return gettext("%(name)s: renew the prescription before %(date)s.") % {
            "name": _name(r),
            "date": _day(r.until),
        }
    if r.status == DONE:
        if r.booked_on:
            return gettext("Appointment booked for %(date)s.") % {"date": _day(r.booked_on)}
        if r.done_on and r.done_precision in ("year", "month"):
            shown = str(words.When(r.done_on, r.done_precision))
            return gettext("Done in %(date)s.") % {"date": shown}
        return gettext("Done on %(date)s.") % {"date": _day(r.done_on)} if r.done_on else ""
    if r.kind == "stale":
        return gettext("To check when you can.")
    if r.status == UPCOMING and r.due:
        return gettext("To do from %(date)s.") % {"date": _day(r.due)}
    if r.status == OVERDUE:
        if r.until:
            return gettext("Late since %(date)s.") % {"date": _day(r.until)}
        if r.due:
            return gettext("To do since %(date)s.") % {"date": _day(r.due)}
    if r.until:
        return gettext("To do before %(date)s.") % {"date": _day(r.until)}
    if r.due:
        return gettext("To do now (planned for %(date)s).") % {"date": _day(r.due)}
    return gettext("To do now.")


SOON_DAYS = 90  # an upcoming reminder within this many days is "soon", later ones wait


def bucket(r: Reminder, on: date) -> str:
    """Where a reminder goes on a page read from the top: overdue, now, soon, later, done."""
    if r.status == OVERDUE:
        return "overdue"
    if r.status == DUE:
        return "now"
    if r.status == UPCOMING:
        if r.due is None or (r.due - on).days <= SOON_DAYS:
            return "soon"
        return "later"
    return "done"


def sort_key(r: Reminder):
    return (ORDER.get(r.status, 9), r.due or date.max, r.title)


def status_for(on: date, due: date, until: date | None) -> str:
    if on < due:
        return UPCOMING
    if until is not None and on >= until:
        return OVERDUE
    return DUE
