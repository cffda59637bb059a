"""django-oauth-toolkit's scope backend: SMART scopes, within what the catalogue allows."""

from __future__ import annotations

from oauth2_provider.scopes import BaseScopes

from . import scopes as S


class SmartScopes(BaseScopes):
    def get_all_scopes(self):
        return S.every_scope()

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return allowed_for(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return allowed_for(application)


def allowed_for(application) -> list[str]:
    entry = getattr(application, "catalogue", None) if application is not None else None
    if entry is None or not entry.approved:
        return []
    return entry.scopes.split()
