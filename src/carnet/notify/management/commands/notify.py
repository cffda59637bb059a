import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from carnet.notify import outbox
from carnet.notify.models import Message


class Command(BaseCommand):
    help = (
        "Notifications. 'notify send' delivers every due message of the outbox (email, SMS, "
        "Web Push) and exits; with --loop it keeps going until SIGTERM/SIGINT. Any number "
        "of senders may run at once: each message is claimed by one of them. "
        "'notify status' prints how many messages are in each state."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="deliver due messages")
        send.add_argument("--loop", action="store_true", help="keep delivering until stopped")
        send.add_argument(
            "--interval", type=float, default=2.0, help="seconds between passes when idle"
        )
        send.add_argument("--batch", type=int, default=100, help="messages per pass")
        sub.add_parser("status", help="count messages by state")

    def handle(self, *args, **opts):
        if opts["action"] == "status":
            for status, _label in Message._meta.get_field("status").choices:
                n = Message.objects.filter(status=status).count()
                self.stdout.write(f"{status}: {n}")
            return
        if opts["batch"] < 1 or opts["interval"] < 0:
            raise CommandError("--batch must be at least 1 and --interval not negative")
        stop = threading.Event()
        if opts["loop"]:
            # Finish the message in hand, then stop: a signal never cuts a send in two.
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        sent = 0
        while not stop.is_set():
            close_old_connections()
            counts = outbox.send_due(limit=opts["batch"])
            sent += counts.get("sent", 0)
            if counts["claimed"] or counts["recovered"] or counts["digests"]:
                if opts["verbosity"] > 1:
                    self.stderr.write(f"{counts}")
                continue
            if not opts["loop"]:
                break
            stop.wait(opts["interval"])
        if opts["verbosity"] > 0 and not opts["loop"]:
            self.stdout.write(f"{sent} messages sent.")
