"""What every engine returns: a reminder with its rule, source, due date and status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

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
        for k in ("due", "done_on", "snoozed_until"):
            d[k] = d[k].isoformat() if d[k] else None
        d.pop("extra", None)
        return d


def sort_key(r: Reminder):
    return (ORDER.get(r.status, 9), r.due or date.max, r.title)


def status_for(on: date, due: date, until: date | None) -> str:
    if on < due:
        return UPCOMING
    if until is not None and on >= until:
        return OVERDUE
    return DUE
