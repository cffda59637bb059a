import json
import signal
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from carnet.notify import outbox
from carnet.notify.models import Message
from carnet.notify.views import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


class Command(BaseCommand):
    help = (
        "Notifications. 'notify send' delivers every due message of the outbox (email, SMS, "
        "Web Push) and exits; with --loop it keeps going until SIGTERM/SIGINT. Any number "
        "of senders may run at once: each message is claimed by one of them. "
        "'notify status' prints how many messages are in each state. "
        "'notify reply' plays an SMS reply as the SMS gateway would: signed with "
        "CARNET_SMS_INBOUND_SECRET and posted to the running server's webhook "
        "(for the demo and for trying a gateway set-up)."
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
        reply = sub.add_parser(
            "reply",
            help="play an SMS reply: sign it and POST it to /notify/sms/inbound",
            description='Example: carnet notify reply --from +33612345678 "OUI 4821"',
        )
        reply.add_argument(
            "--from", dest="sender", required=True, help="the phone number replying (+33…)"
        )
        reply.add_argument("text", help='the reply, e.g. "OUI 4821"')
        reply.add_argument("--url", default="", help="Carnet's address (default: CARNET_SITE_URL)")

    def handle(self, *args, **opts):
        if opts["action"] == "status":
            for status, _label in Message._meta.get_field("status").choices:
                n = Message.objects.filter(status=status).count()
                self.stdout.write(f"{status}: {n}")
            return
        if opts["action"] == "reply":
            self.stdout.write(play_reply(opts["sender"], opts["text"], opts["url"]))
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


def play_reply(sender: str, text: str, url: str = "") -> str:
    """POST one signed SMS reply to the webhook, as a gateway does; returns the answer."""
    secret = settings.CARNET_SMS_INBOUND_SECRET
    if not secret:
        raise CommandError(
            "CARNET_SMS_INBOUND_SECRET is not set: the SMS reply webhook is off. "
            "Set it to the same value as the running server's (make run sets one)."
        )
    base = (url or settings.CARNET_SITE_URL).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise CommandError(f"--url must start with http:// or https://, not {base!r}")
    body = json.dumps({"from": sender, "text": text}).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        base + "/notify/sms/inbound",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return f"{response.status} {response.read().decode()}"
    except urllib.error.HTTPError as exc:
        raise CommandError(f"the server answered {exc.code}: {exc.read().decode()[:200]}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise CommandError(f"could not reach {base}: {exc}. Is Carnet running there?") from exc
