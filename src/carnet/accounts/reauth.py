"""Confirming who you are again before the acts that cannot be taken back.

Downloading the whole record and closing the account ask the person to prove again, a
few minutes before, that they are the one at the keyboard: a session left open on a
shared computer must not be enough. This is allauth's reauthentication ("sudo mode"):
the same pages, the same records in the session, the same suspended-and-resumed
request as the other security changes; signing in does not count, only an explicit
confirmation within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` (5 minutes).

One rule on top of allauth's: a person who set up a second factor confirms with it
(code app, recovery code or passkey). Typing the password again proves nothing a
thief of the session who watched the keyboard could not prove too.
"""

from __future__ import annotations

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required


def has_second_factor(user) -> bool:
    return user.is_authenticated and is_mfa_enabled(user)


def recently_confirmed(request) -> bool:
    """True when the person confirmed who they are in the last few minutes, the right way."""
    user = request.user
    if not user.is_authenticated:
        return False
    now = time.time()
    records = [
        r
        for r in get_authentication_records(request, user)
        if r.get("reauthenticated")
        and r.get("method") in account_settings.REAUTHENTICATION_METHODS
        and now - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
    ]
    if has_second_factor(user):
        records = [r for r in records if r.get("method") == "mfa"]
    return bool(records)


def _second_factor_url(user) -> str | None:
    for method in get_adapter().get_reauthentication_methods(user):
        if method["id"].startswith("mfa_reauthenticate"):
            return method["url"]
    return None


def confirm_identity(view=None, *, when=None):
    """Signed in, and confirmed again just now (with the second factor when there is one).

    ``when(request)``, if given, decides whether this request needs it (e.g. only a change
    that shows an item to more people). Otherwise the request is suspended and the person
    sent to confirm; allauth replays it when they have (a form sent is not lost).
    """
    if view is None:
        return lambda v: confirm_identity(v, when=when)

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        needed = when is None or when(request)
        if needed and not recently_confirmed(request):
            url = _second_factor_url(request.user) if has_second_factor(request.user) else None
            if url is None:
                # allauth's middleware sends the person to the password page.
                raise ReauthenticationRequired()
            return suspend_request(request, url)
        return view(request, *args, **kwargs)

    return wrapper
