"""carnet reminders list --patient EMAIL [--on YYYY-MM-DD] [--json]
carnet reminders send [--on YYYY-MM-DD]

``list`` prints every reminder of a person as of a date (kind, rule and its source, due
date, status), for operators and tests; the read shows in the person's access history.
``send`` queues today's reminders and digests for everyone (what the daily job does).
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts

from ... import notifications, services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Reminders of a person: list them as of a date, or send today's."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="print every reminder of a person as of a date")
        ls.add_argument("--patient", required=True, metavar="EMAIL")
        ls.add_argument("--on", metavar="YYYY-MM-DD")
        ls.add_argument("--json", action="store_true")
        send = sub.add_parser("send", help="queue today's reminders for everyone")
        send.add_argument("--on", metavar="YYYY-MM-DD")

    def handle(self, *args, **opts):
        translation.activate("fr")
        on = _date(opts["on"]) if opts.get("on") else timezone.localdate()
        if opts["action"] == "send":
            counts = notifications.daily(on)
            self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            return
        patient = accounts.patient_for_email(opts["patient"])
        if patient is None:
            raise CommandError(f"no record for {opts['patient']!r}")
        try:
            ov = services.overview(Actor.operator("carnet reminders list"), patient.pk, on)
        except NotFound:
            raise CommandError("the record cannot be read") from None
        if opts["json"]:
            data = {"patient": opts["patient"], "on": on.isoformat(),
                    "reminders": [r.as_json() for r in ov.reminders]}  # fmt: skip
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        if not ov.reminders:
            self.stdout.write("no reminder")
        for r in ov.reminders:
            due = r.due.isoformat() if r.due else "-"
            self.stdout.write(
                f"{r.kind:<12} {r.status:<9} {due}  {r.title}\n"
                f"{'':<12} rule {r.rule} — {r.source} ({r.version})"
            )
