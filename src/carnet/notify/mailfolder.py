"""Email for demos and development: each message kept as a file, announced in one line.

When no SMTP server is configured (CARNET_EMAIL_URL unset), Carnet's email backend writes
every message to ``CARNET_DATA_DIR/outbox/`` as a standard ``.eml`` file (any mail program
opens it) and prints one line per message on the server's output, instead of the whole
MIME text. The demo mailbox page (``/courrier-de-demo/``, on with CARNET_DEMO_MAILBOX=1 as
``make run`` sets it, and only from this computer) shows those messages in the browser,
so that a person trying the demo can open the confirmation and sign-in links.
"""

from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

KEEP = 500  # messages kept; the oldest are removed beyond that


def folder() -> Path:
    return Path(getattr(settings, "CARNET_OUTBOX_DIR", None) or settings.DATA_DIR / "outbox")


class FolderEmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        where = folder()
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        sent = 0
        for message in email_messages:
            try:
                data = message.message().as_bytes(linesep="\r\n")
                name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
                tmp = where / (name + ".part")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                tmp.replace(where / name)
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            to = ", ".join(message.recipients())
            self.stream.write(f"email to {to}: {where / name}\n")
            self.stream.flush()
            sent += 1
        _prune(where)
        return sent


def _prune(where: Path) -> None:
    files = sorted(where.glob("*.eml"))
    for old in files[:-KEEP]:
        old.unlink(missing_ok=True)


@dataclass(frozen=True)
class Mail:
    name: str
    at: datetime
    to: str
    subject: str
    text: str


def _read(path: Path, with_body: bool) -> Mail:
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = ""
    if with_body:
        body = msg.get_body(("plain", "html"))
        text = body.get_content() if body is not None else ""
    stamp = path.name.split("-", 1)[0]
    try:
        at = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Mail(path.name, at, str(msg.get("To", "")), str(msg.get("Subject", "")), text)


def messages(limit: int = 100) -> list[Mail]:
    """The newest messages first (headers only)."""
    where = folder()
    if not where.is_dir():
        return []
    return [_read(p, False) for p in sorted(where.glob("*.eml"), reverse=True)[:limit]]


def message(name: str) -> Mail | None:
    """One message by its file name, or None (names are checked: no path can be given)."""
    if "/" in name or "\\" in name or not name.endswith(".eml") or name.startswith("."):
        return None
    path = folder() / name
    return _read(path, True) if path.is_file() else None
