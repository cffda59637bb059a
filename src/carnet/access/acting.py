"""Acting for someone: a proxy (a relative, a parent) switches to the space of the person.

The choice lives in the session; it grants nothing by itself. Every request checks again,
through ``services.purpose_for``, that the proxy is still live: a revocation ends the
"acting for" state on the very next page, and every read or action is still decided and
audited by ``access`` with purpose ``proxy`` ("proxy X acting for the person").

``context`` is a template context processor: ``acting_for`` (``{"patient_id", "name"}``)
is set on every page while the user acts for someone, and base.html shows the banner.
"""

from __future__ import annotations

from .services import Actor, Purpose, purpose_for

SESSION_KEY = "carnet_acting_for"


def start(request, patient_id: int, name: str) -> None:
    request.session[SESSION_KEY] = {"patient_id": int(patient_id), "name": str(name)}


def stop(request) -> None:
    request.session.pop(SESSION_KEY, None)


def current(request) -> dict | None:
    """The person the user acts for now, or None (a stale choice is forgotten)."""
    cached = getattr(request, "_carnet_acting_for", False)
    if cached is not False:
        return cached
    found = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(request, "session"):
        chosen = request.session.get(SESSION_KEY)
        if isinstance(chosen, dict) and isinstance(chosen.get("patient_id"), int):
            if purpose_for(Actor.of_user(user), chosen["patient_id"]) == Purpose.PROXY:
                found = {"patient_id": chosen["patient_id"], "name": chosen.get("name", "")}
            else:
                stop(request)  # revoked or expired: back to one's own space at once
    request._carnet_acting_for = found
    return found


def forget(request) -> None:
    """Drop the per-request cache (after switching within one request)."""
    if hasattr(request, "_carnet_acting_for"):
        del request._carnet_acting_for


def context(request) -> dict:
    """Template context processor: ``acting_for`` on every page."""
    return {"acting_for": current(request)}
