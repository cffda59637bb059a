"""django-oauth-toolkit's request validator, with Carnet's rules on top.

- Scopes: every scope asked must be one the catalogue allows the app (``patient/*.rs``
  covers ``patient/Observation.rs``), checked at authorisation and at each refresh.
- PKCE: S256 only (``plain`` is refused; DOT's RFC 9700 gate does it too).
- The token response carries the launch context: ``patient`` (the record's number).
"""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from . import scopes as S
from . import services
from .scopes_backend import allowed_for


class CarnetValidator(OAuth2Validator):
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        try:
            return bool(scopes) and S.within(list(scopes), allowed_for(client))
        except S.ScopeError:
            return False

    def is_pkce_required(self, client_id, request):
        return True

    def validate_code_challenge_method(self, challenge_method):  # pragma: no cover - oauthlib
        return challenge_method == "S256"

    def save_bearer_token(self, token, request, *args, **kwargs):
        result = super().save_bearer_token(token, request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and "launch/patient" in (request.scopes or []):
            patient = services.patient_context(user, request.client)
            if patient is not None:
                token["patient"] = str(patient)
        return result
