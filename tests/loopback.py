"""Loopback servers for tests: an SMTP server, an SMS gateway, a push service.

They record everything they receive so that tests can assert exactly what was delivered,
and how many times. Each can hold the N-th message it receives (after recording it) until
released, which lets a test kill a worker at a known point of a send.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Hold:
    """Block the N-th arrival until released; ``reached`` is set when it arrives."""

    def __init__(self, nth: int | None):
        self.nth = nth
        self.count = 0
        self.reached = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def arrive(self) -> bool:
        with self.lock:
            self.count += 1
            return self.nth is not None and self.count == self.nth


class LoopbackSmtp:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, hold_nth: int | None = None):
        self.received: list[dict] = []
        self.hold = _Hold(hold_nth)
        self.port = free_port()
        self.controller = None

    def use_in(self, settings) -> LoopbackSmtp:
        """Point Django's SMTP email backend at this server (plain SMTP, no login)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = (
            False,
            "",
            "",
        )
        settings.EMAIL_TIMEOUT = 10
        return self

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        msg = message_from_bytes(envelope.content, policy=policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        self.received.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message_id": msg["Message-ID"],
                "subject": str(msg["Subject"]),
                "text": text.get_content() if text is not None else "",
                "html": html.get_content() if html is not None else "",
                "headers": dict(msg.items()),
            }
        )
        if self.hold.arrive():
            self.hold.reached.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.hold.release.wait, 120)
        return "250 Message accepted for delivery"

    def start(self) -> LoopbackSmtp:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.hold.release.set()
        if self.controller is not None:
            self.controller.stop()

    @property
    def counts(self) -> Counter:
        """How many times each Message-ID arrived."""
        return Counter(m["message_id"] for m in self.received)

    @property
    def mailbox(self) -> dict:
        """What a mailbox keeps: one message per Message-ID, as mail providers do."""
        box: dict = {}
        for m in self.received:
            box.setdefault(m["message_id"], m)
        return box


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class LoopbackSmsGateway:
    """The generic HTTP SMS gateway shape of ``notify.sms.HttpBackend``, on 127.0.0.1.

    POST /sms {to, from, text, client_ref} with ``Authorization: Bearer <key>`` → 200
    {"id"}; a repeated client_ref gets the same id (and is counted). GET /sms/<client_ref>
    → 200 if held, 404 if not. ``fail_with`` is a list of status codes to answer to the
    next POSTs instead of accepting them.
    """

    def __init__(self, key: str = "gateway-key", hold_nth: int | None = None):
        self.key = key
        self.posts: list[dict] = []  # every accepted POST body, in order
        self.lookups: list[str] = []
        self.refused: list[int] = []
        self.fail_with: list[int] = []
        self.hold = _Hold(hold_nth)
        self.ids: dict[str, str] = {}
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client is gone (a test killed it): nothing to answer

            def _authorised(self) -> bool:
                return self.headers.get("Authorization") == f"Bearer {gateway.key}"

            def do_POST(self):
                if self.path != "/sms" or not self._authorised():
                    return self._json(401, {"error": "unauthorised"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway.lock:
                    if gateway.fail_with:
                        code = gateway.fail_with.pop(0)
                        gateway.refused.append(code)
                        return self._json(code, {"error": "refused"})
                    gateway.posts.append(body)
                    ref = body["client_ref"]
                    sms_id = gateway.ids.setdefault(ref, f"gw-{len(gateway.ids) + 1}")
                hold = gateway.hold.arrive()
                if hold:
                    gateway.hold.reached.set()
                    gateway.hold.release.wait(120)
                return self._json(200, {"id": sms_id})

            def do_GET(self):
                if not self._authorised() or not self.path.startswith("/sms/"):
                    return self._json(401, {"error": "unauthorised"})
                ref = self.path[len("/sms/") :]
                with gateway.lock:
                    gateway.lookups.append(ref)
                    sms_id = gateway.ids.get(ref)
                if sms_id is None:
                    return self._json(404, {"error": "unknown"})
                return self._json(200, {"id": sms_id})

        return Handler

    def start(self) -> LoopbackSmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.hold.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def counts(self) -> Counter:
        """How many times each client_ref was posted."""
        return Counter(p["client_ref"] for p in self.posts)


class LoopbackPushService:
    """A Web Push service on 127.0.0.1: records each POST (headers, encrypted body)."""

    def __init__(self, status: int = 201):
        self.status = status
        self.received: list[dict] = []
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def start(self) -> LoopbackPushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


MOBILE = "06 12 34 56 78"
