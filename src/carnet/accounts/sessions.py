"""Session lifetime and the list of a person's open sessions.

A session ends after ``CARNET_SESSION_IDLE_SECONDS`` without a request (30 minutes) and
``CARNET_SESSION_ABSOLUTE_SECONDS`` after sign-in (12 hours), whatever happens in between.
Django gives a new session key at sign-in (``login`` cycles it), so a key planted before
sign-in is worthless after.

The account page lists the person's sessions from Django's session store (database
backend) and lets them close any of them. A session is named by a hash of its key: the
key itself never appears in a page.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

STARTED = "_carnet_started"
SEEN = "_carnet_seen"
AGENT = "_carnet_agent"
DB_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def now() -> float:
    """The clock of this module (tests replace it; nothing here sleeps)."""
    return time.time()


def _agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def _stamp(request) -> None:
    t = now()
    request.session[STARTED] = t
    request.session[SEEN] = t
    request.session[AGENT] = _agent(request)


@receiver(user_logged_in, dispatch_uid="carnet.accounts.sessions.stamp")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        _stamp(request)


def expired(session, at: float) -> bool:
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        return False
    return (
        at - seen > settings.CARNET_SESSION_IDLE_SECONDS
        or at - started > settings.CARNET_SESSION_ABSOLUTE_SECONDS
    )


class SessionTimeoutMiddleware:
    """Signs out a session left idle too long or open longer than the absolute limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            at = now()
            if request.session.get(STARTED) is None:
                _stamp(request)
            elif expired(request.session, at):
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
            else:
                request.session[SEEN] = at
        return self.get_response(request)


def session_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class OpenSession:
    id: str
    device: str
    started: datetime | None
    last_seen: datetime | None
    current: bool


def _when(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def _sessions(user):
    """(key, data) of the user's live sessions in the database store."""
    if settings.SESSION_ENGINE not in DB_ENGINES:
        return
    for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = row.get_decoded()
        if data.get("_auth_user_id") == str(user.pk):
            yield row.session_key, data


def open_sessions(request) -> list[OpenSession]:
    current = request.session.session_key
    found = []
    at = now()
    for key, data in _sessions(request.user):
        if key != current and expired(data, at):
            continue
        found.append(
            OpenSession(
                id=session_id(key),
                device=describe_agent(data.get(AGENT, "")),
                started=_when(data.get(STARTED)),
                last_seen=_when(data.get(SEEN)),
                current=key == current,
            )
        )
    found.sort(key=lambda s: (not s.current, -(s.last_seen.timestamp() if s.last_seen else 0)))
    return found


def revoke(request, sid: str) -> bool | None:
    """Close one of the user's sessions. True: closed; None: it was this one; False: unknown."""
    current = request.session.session_key
    for key, _data in _sessions(request.user):
        if session_id(key) == sid:
            if key == current:
                logout(request)
                return None
            Session.objects.filter(session_key=key).delete()
            return True
    return False


def revoke_others(request) -> int:
    current = request.session.session_key
    keys = [key for key, _data in _sessions(request.user) if key != current]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def describe_agent(agent: str) -> str:
    """A short, human name for a browser: "Firefox, Windows"; never the raw string."""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"),
                ("Safari/", "Safari"),
            )
            if token in agent
        ),
        None,
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if token in agent
        ),
        None,
    )
    parts = [p for p in (browser, system) if p]
    return ", ".join(parts) if parts else _("Unknown browser")
