"""SMS adapters: ``console`` (prints), ``file`` (JSON lines, for development), ``http``.

The HTTP gateway shape is generic: ``POST CARNET_SMS_URL`` with a JSON body
``{"to": "+33…", "from": SENDER, "text": "…", "client_ref": "<32 hex>"}`` and
``Authorization: Bearer <key>``; any 2xx with a JSON ``{"id": "…"}`` means accepted. The
gateway is expected to treat a repeated ``client_ref`` as the same message, and to answer
``GET CARNET_SMS_URL/<client_ref>`` with 200 when it holds that message and 404 when it
does not: a worker that lost track of a message (it crashed after posting) asks before
sending again, so a person never gets the same SMS twice.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SmsError(Exception):
    """The gateway refused or could not be reached; ``permanent`` when retrying is useless."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Sms:
    to: str
    text: str
    client_ref: str


class ConsoleBackend:
    name = "console"

    def send(self, sms: Sms) -> str:
        line = json.dumps({"to": sms.to, "text": sms.text, "client_ref": sms.client_ref})
        sys.stdout.write(f"SMS {line}\n")
        sys.stdout.flush()
        return f"console-{sms.client_ref}"

    def lookup(self, client_ref: str) -> bool | None:
        return None  # a console cannot tell: the message may be sent again


class FileBackend:
    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None):
        self.path = Path(path or settings.CARNET_SMS_FILE)

    def send(self, sms: Sms) -> str:
        line = json.dumps(
            {
                "to": sms.to,
                "from": settings.CARNET_SMS_SENDER,
                "text": sms.text,
                "client_ref": sms.client_ref,
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
        return f"file-{sms.client_ref}"

    def lookup(self, client_ref: str) -> bool | None:
        if not self.path.exists():
            return False
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    if json.loads(line).get("client_ref") == client_ref:
                        return True
                except ValueError:
                    continue
        return False


class HttpBackend:
    name = "http"

    def __init__(self, url: str | None = None, key: str | None = None, timeout: int | None = None):
        self.url = (url or settings.CARNET_SMS_URL or "").rstrip("/")
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured(
                "CARNET_SMS_URL must be an http(s) URL for the http SMS backend"
            )
        self.key = key if key is not None else (settings.CARNET_SMS_KEY or "")
        if not self.key:
            raise ImproperlyConfigured("CARNET_SMS_KEY_FILE (or CARNET_SMS_KEY) is required")
        self.timeout = timeout or settings.CARNET_SMS_TIMEOUT

    def _request(self, req: urllib.request.Request):
        req.add_header("Authorization", f"Bearer {self.key}")
        req.add_header("Accept", "application/json")
        return urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310 (scheme checked)

    def send(self, sms: Sms) -> str:
        body = json.dumps(
            {
                "to": sms.to,
                "from": settings.CARNET_SMS_SENDER,
                "text": sms.text,
                "client_ref": sms.client_ref,
            }
        ).encode()
        req = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with self._request(req) as resp:
                payload = resp.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            # A refused message will not get better by retrying; a refused key (401/403)
            # or a busy gateway may, once an operator fixes it.
            permanent = exc.code in (400, 404, 410, 413, 422)
            raise SmsError(f"gateway answered {exc.code}", permanent=permanent) from None
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {exc.__class__.__name__}") from None
        try:
            ref = json.loads(payload).get("id")
        except (ValueError, AttributeError):
            ref = None
        if not ref:
            raise SmsError("gateway answered without a message id")
        return str(ref)[:200]

    def lookup(self, client_ref: str) -> bool | None:
        url = f"{self.url}/{urllib.parse.quote(client_ref)}"
        req = urllib.request.Request(url, method="GET")  # noqa: S310 (scheme checked)
        try:
            with self._request(req) as resp:
                return 200 <= resp.status < 300
        except urllib.error.HTTPError as exc:
            return False if exc.code == 404 else None
        except (urllib.error.URLError, OSError):
            return None


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend}


def backend():
    name = settings.CARNET_SMS_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"CARNET_SMS_BACKEND={name!r}: choose one of {', '.join(BACKENDS)}"
        ) from None
