"""Kiosk mode: the desk's computer is shared by everyone who comes in.

For an advisor of a help point in kiosk mode (``HelpPoint.kiosk``): every page is
``no-store``; the session ends after ``CARNET_KIOSK_IDLE_SECONDS`` without a request (a few
minutes), on the server (the session's own expiry, and this middleware), whatever the
browser does; each page shows when that will happen (a plain time without JavaScript; with it, a
countdown that brings the browser back to the sign-in page once the time is up — no
``<meta http-equiv="refresh">``, which WCAG 2.2.1 and axe refuse); signing out (or being signed out) ends the help session
and answers ``Clear-Site-Data`` so that nothing of the session stays in the browser. The
fields where codes are typed have no autocomplete; files the person imports come from their
own USB key or phone, and nothing is downloaded onto the desk's computer.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from carnet.access import assistance
from carnet.accounts import sessions

from .services import desk_of

SEEN = "_carnet_kiosk_seen"
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def idle_seconds() -> int:
    return int(getattr(settings, "CARNET_KIOSK_IDLE_SECONDS", 180))


def is_kiosk(request) -> bool:
    cached = getattr(request, "_carnet_kiosk", None)
    if cached is None:
        user = getattr(request, "user", None)
        point = desk_of(user) if user is not None and user.is_authenticated else None
        cached = bool(point and point.kiosk)
        request._carnet_kiosk = cached  # one query per request, for the middleware and pages
    return cached


def signed_out_response(request, reason: str = ""):
    """End the help session, sign out, clear what the site left in the browser."""
    if request.user.is_authenticated:
        logout(request)  # ends the help session too (``_end_help_on_logout``)
    url = reverse("account_login") + ("?fin=inactivite" if reason == "idle" else "")
    response = redirect(url)
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    response["Cache-Control"] = "no-store"
    return response


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kiosk = False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role == "advisor":
            kiosk = is_kiosk(request)
        if kiosk:
            at = sessions.now()
            seen = request.session.get(SEEN)
            if seen is not None and at - seen > idle_seconds():
                return signed_out_response(request, "idle")
            request.session[SEEN] = at
            request.session.set_expiry(idle_seconds())  # the server forgets it too
        response = self.get_response(request)
        if kiosk:
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response


@receiver(user_logged_out, dispatch_uid="carnet.helppoint.end_help_on_logout")
def _end_help_on_logout(sender, request, user, **kwargs):
    if user is not None and getattr(user, "role", "") == "advisor":
        assistance.end_all_of(user.pk, by="advisor")


def signs_out_at(request):
    """When the kiosk signs out if nothing happens (for the page)."""
    return timezone.now() + timedelta(seconds=idle_seconds())
