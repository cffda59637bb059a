"""Personal access tokens for the FHIR API (``Authorization: Bearer carnet_…``), and the
OAuth tokens of apps the person connected (``carnet.smart``).

No session cookie is ever looked at, so the API needs no CSRF token and a browser tab
signed in to Carnet cannot be used to call it on the person's behalf.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from carnet.accounts import services as accounts
from carnet.smart import services as apps


class SecondFactorRequired(AuthenticationError):
    """The token is valid but its professional account has no second factor yet."""


class PersonalAccessToken(HttpBearer):
    """A token created in the account settings or with ``carnet token create EMAIL``."""

    openapi_bearerFormat = "carnet_…"  # shown in the OpenAPI security scheme

    def authenticate(self, request: HttpRequest, token: str):
        try:
            user = accounts.authenticate_token(token.strip())
        except accounts.SecondFactorMissing:
            raise SecondFactorRequired() from None
        if user is None:
            # An app's OAuth token (SMART on FHIR): the app is the actor, for the person
            # who connected it; None when unknown, expired, revoked or disconnected.
            session = apps.authenticate(token.strip()) if len(token) <= 200 else None
            if session is None:
                return None
            request.smart = session  # type: ignore[attr-defined]
            request.user = session.user
            return session.user
        request.user = user
        return user


token_auth = PersonalAccessToken()
