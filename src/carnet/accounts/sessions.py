"""Session lifetime and the list of a person's open sessions.

A session ends after ``CARNET_SESSION_IDLE_SECONDS`` without a request (30 minutes) and
``CARNET_SESSION_ABSOLUTE_SECONDS`` after sign-in (12 hours), whatever happens in between.
Django gives a new session key at sign-in (``login`` cycles it), so a key planted before
sign-in is worthless after.

The account page lists the person's sessions and lets them close any of them, whatever
``SESSION_ENGINE`` is (database, cached database, cache, files): a small index
(``SessionIndex``) written at sign-in and removed at sign-out names each person's sessions,
and each one is read from and closed in the configured store itself. Signed-cookie
sessions cannot be closed from the server, so Carnet refuses to start with them
(``check_session_engine``). A session is named by a hash of its key: the key itself never
appears in a page, and the index keeps it sealed by the vault (``carnet.vault.session_keys``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core import checks
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.vault.session_keys import open_session_key, seal_session_key

from .models import SessionIndex

STARTED = "_carnet_started"
SEEN = "_carnet_seen"
AGENT = "_carnet_agent"
UNSUPPORTED_ENGINES = {"django.contrib.sessions.backends.signed_cookies"}


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
        _remember(request, user)


@receiver(user_logged_out, dispatch_uid="carnet.accounts.sessions.forget")
def _on_logout(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        _index().objects.filter(sid=session_id(key)).delete()


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


def still_signed_in(session_key: str | None, user_id: int) -> bool:
    """Whether the session ``session_key`` still signs ``user_id`` in, read afresh from the store.

    For connections that outlive the request which opened them (the emergency chat's
    WebSocket): signing out, closing the session from the account page, a new password,
    a deactivated account or the absolute lifetime end them as they end the session. The
    idle limit is left to the next page: an open live page is the person being there.
    """
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.utils.crypto import constant_time_compare

    if not session_key:
        return False
    data = _store(session_key).load()
    if data.get(SESSION_KEY) != str(user_id):
        return False
    started = data.get(STARTED)
    if started is not None and now() - started > settings.CARNET_SESSION_ABSOLUTE_SECONDS:
        return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


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


def _index():
    return SessionIndex


def _store(key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def _remember(request, user) -> None:
    key = request.session.session_key
    if key is None:
        request.session.save()
        key = request.session.session_key
    _index().objects.update_or_create(
        sid=session_id(key), defaults={"user": user, "sealed_key": seal_session_key(key)}
    )


def _sessions(request):
    """(key, data) of the user's live sessions, read from the configured session store.

    Index rows whose session is gone (expired, closed, key changed, another person's) are
    dropped on the way.
    """
    user = request.user
    current = request.session.session_key
    if current and not _index().objects.filter(sid=session_id(current)).exists():
        _remember(request, user)  # e.g. a session older than the index, or a new key
    horizon = timezone.now() - timedelta(seconds=settings.CARNET_SESSION_ABSOLUTE_SECONDS)
    stale = []
    for row in _index().objects.filter(user=user):
        key = open_session_key(row.sealed_key)
        if key == current:
            yield key, dict(request.session.items())
            continue
        data = _store(key).load() if key and row.created_at > horizon else {}
        if data.get("_auth_user_id") == str(user.pk):
            yield key, data
        else:
            stale.append(row.pk)
    if stale:
        _index().objects.filter(pk__in=stale).delete()


def _close(key: str) -> None:
    _store().delete(key)
    _index().objects.filter(sid=session_id(key)).delete()


def open_sessions(request) -> list[OpenSession]:
    current = request.session.session_key
    found = []
    at = now()
    for key, data in _sessions(request):
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
    for key, _data in _sessions(request):
        if session_id(key) == sid:
            if key == current:
                logout(request)
                return None
            _close(key)
            return True
    return False


def revoke_others(request) -> int:
    current = request.session.session_key
    keys = [key for key, _data in _sessions(request) if key != current]
    for key in keys:
        _close(key)
    return len(keys)


@checks.register(checks.Tags.security)
def check_session_engine(app_configs=None, **kwargs):
    if settings.SESSION_ENGINE in UNSUPPORTED_ENGINES:
        return [
            checks.Error(
                "Sessions kept in signed cookies cannot be listed or closed from the account "
                "page, nor ended when a person signs out elsewhere.",
                hint="Use the db, cached_db, cache or file session engine.",
                id="carnet.E010",
            )
        ]
    return []


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
