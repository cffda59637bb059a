"""Practitioners, advisors and researchers use a second factor, or use nothing else.

While ``CARNET_REQUIRE_MFA`` is on, a signed-in person with one of
``CARNET_MFA_REQUIRED_ROLES`` and no TOTP app or passkey is sent to the two-step set-up
page; only the sign-in, sign-out and set-up pages (allauth's ``/accounts/``), static files
and the language switch stay reachable. Citizens are offered a second factor on their
account page, never forced.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def needs_mfa(user) -> bool:
    if not getattr(settings, "CARNET_REQUIRE_MFA", False):
        return False
    if not user.is_authenticated or user.role not in settings.CARNET_MFA_REQUIRED_ROLES:
        return False
    return not Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not request.path.startswith(ALLOWED_PREFIXES) and needs_mfa(user):
            messages.warning(
                request,
                _(
                    "Your role gives access to other people's health data: set up two-step "
                    "sign-in (a code app or a passkey) before you continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
