"""Personal access tokens for the FHIR API (``Authorization: Bearer carnet_…``).

No session cookie is ever looked at, so the API needs no CSRF token and a browser tab
signed in to Carnet cannot be used to call it on the person's behalf.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from carnet.accounts import services as accounts


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
            return None
        request.user = user
        return user


token_auth = PersonalAccessToken()
