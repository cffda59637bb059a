"""Offline reading on the person's own device, and nothing left behind on any other.

A person may declare a device as their own (the account page, or the prompt on home). That
choice is a signed cookie naming their account (``OWN_DEVICE_COOKIE``), off by default.
While it holds, the few pages a person needs without a network (``OFFLINE_PAGES``: home,
the printable summary, the emergency card, reminders, treatments, agenda) answer with the
header ``Carnet-Offline: keep``; the service worker (``/sw.js``, template ``web/sw.js``)
keeps a copy of exactly those answers, refreshed on each online visit, and shows the copy
with « Dernière mise à jour : … » when the network is gone. Without the declaration it keeps
static files and the offline page only, and every page answers ``Carnet-Offline: drop``: the
worker deletes any copy it still holds. Every page stays ``Cache-Control: no-store``
(``NoStoreMiddleware``): the browser's HTTP cache never holds them, on any device.

Signing out (any view that calls ``logout()`` while the person was signed in) answers with
``Clear-Site-Data`` (``CLEAR_SITE_DATA``): the browser drops its caches, the service worker
and its copies, local storage and the site's cookies. A session that merely timed out ends on
the server only: a declared device keeps its copy until the person signs out or turns the
choice off. Other code that signs a person out in a response of its own (a kiosk) calls
``clear_site_data(response)``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.core import signing
from django.dispatch import receiver
from django.utils import timezone

OWN_DEVICE_COOKIE = "carnet_own_device"
OWN_DEVICE_SALT = "carnet.web.offline.own-device"
OWN_DEVICE_MAX_AGE = 365 * 24 * 3600
# The header the service worker reads: only these answers may be kept on the device.
KEEP_HEADER = "Carnet-Offline"
# The pages kept on a declared device (view names), and only for the person's own record.
OFFLINE_PAGES = frozenset(
    {
        "home",
        "records:summary",
        "records:card",
        "reminders:index",
        "reminders:treatments",
        "reminders:agenda",
    }
)
# "cookies" ends every tab's session and drops the language and device choices too: nothing
# of the person stays. (Browsers apply it to the whole registrable domain: serve Carnet on a
# domain of its own.)
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def clear_site_data(response):
    """Ask the browser to forget everything this site stored: caches, service worker, cookies."""
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.delete_cookie(OWN_DEVICE_COOKIE, samesite="Lax")
    return response


def _choice(request) -> bool | None:
    """The signed-in person's answer on this browser: True (mine), False (not mine), None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    value = request.COOKIES.get(OWN_DEVICE_COOKIE)
    if not value:
        return None
    try:
        choice = signing.loads(value, salt=OWN_DEVICE_SALT, max_age=OWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(choice, dict) or choice.get("user") != user.pk:
        return None  # someone else's answer on a shared browser
    return bool(choice.get("own"))


def own_device(request) -> bool:
    """Whether the signed-in person declared this browser as their own device."""
    return _choice(request) is True


def answered(request) -> bool:
    """Whether the person already answered « Cet appareil est à moi » on this browser."""
    return _choice(request) is not None


def declare_own_device(response, user, own: bool = True) -> None:
    """Remember the person's answer on this browser (off: the worker drops its copies at the
    next page, which answers ``Carnet-Offline: drop``; the page asks it by a message too)."""
    response.set_cookie(
        OWN_DEVICE_COOKIE,
        signing.dumps({"user": user.pk, "own": own}, salt=OWN_DEVICE_SALT),
        max_age=OWN_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def keeps(request) -> bool:
    """Whether this page may be kept for offline reading on this device."""
    from carnet.access import acting

    match = getattr(request, "resolver_match", None)
    if request.method != "GET" or match is None or match.view_name not in OFFLINE_PAGES:
        return False
    if not own_device(request) or request.user.role != "citizen":
        return False
    return acting.current(request) is None  # never a relative's pages


@receiver(user_logged_out, dispatch_uid="carnet.web.offline.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if request is not None:
        request.carnet_signed_out = True


class OfflineMiddleware:
    """Marks the pages a declared device keeps, and clears the site at a sign-out.

    ``request.carnet_offline`` (the page may be kept: base.html then carries the time it
    was written, for « Dernière mise à jour ») and ``request.carnet_own_device`` are set
    before the view runs. A sign-out is a ``logout()`` inside the view of a person who was
    signed in when it began: a timed-out session is ended by an earlier middleware, before
    any view, and does not clear a declared device.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "carnet_signed_out", False) and getattr(
            request, "carnet_signed_in_at_view", False
        ):
            clear_site_data(response)
        elif not response.get("Content-Type", "").startswith("text/html"):
            pass  # the worker reads pages only
        elif getattr(request, "carnet_offline", False) and response.status_code == 200:
            response[KEEP_HEADER] = "keep"
        elif not getattr(request, "carnet_own_device", None) and not own_device(request):
            # Not a declared device (or not this person's): the worker keeps nothing of theirs.
            response[KEEP_HEADER] = "drop"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        request.carnet_signed_in_at_view = bool(user is not None and user.is_authenticated)
        request.carnet_own_device = own_device(request)
        request.carnet_device_answered = answered(request)
        request.carnet_offline = request.carnet_own_device and keeps(request)
        if request.carnet_offline:
            request.carnet_written_at = timezone.localtime()
        return None
