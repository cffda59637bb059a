"""Acting for someone: a proxy (a relative, a parent) switches to the space of the person.

The choice lives in the session; it grants nothing by itself. Every request checks again
that the proxy is still live: a revocation ends the "acting for" state on the very next
page, and every read or action is still decided and audited by ``access`` with purpose
``proxy`` ("proxy X acting for the person").

``whose`` is the one answer every page of a citizen's space takes its (actor, record,
purpose) from: the person's own record, or the record of the person they act for now. A
page that needs a permission the proxy was not given asks for it (``whose(request,
"manage")``): ``NotPermitted`` is raised, and the web layer answers 403 with a page saying
plainly that this permission was not given — never the proxy's own data instead.

``context`` is a template context processor: ``acting_for`` (``{"patient_id", "name",
"permissions"}``) is set on every page while the user acts for someone, and base.html shows
the banner; pages use ``acting_for.name`` to say whose record they are about.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from django.contrib import messages
from django.utils import timezone

from carnet.accounts import services as accounts

from . import policy, proxies
from .services import Actor, Purpose

SESSION_KEY = "carnet_acting_for"
# What a proxy may be given (access.policy): reading, appointments, messages, managing the
# record (add, import, export, share, emergency settings).
PERMISSIONS = frozenset(policy.PERMISSIONS)

log = logging.getLogger("carnet.access")


def start(request, patient_id: int, name: str) -> None:
    request.session[SESSION_KEY] = {"patient_id": int(patient_id), "name": str(name)}


def stop(request) -> None:
    request.session.pop(SESSION_KEY, None)


def _live_permissions(user, patient_id: int) -> frozenset[str] | None:
    """The permissions of the user's live proxy on the record, or None (none, or their own)."""
    try:
        facts = policy.load_facts(Actor.of_user(user), int(patient_id), timezone.now())
    except Exception:
        log.exception("could not read the proxy; acting for someone ends")
        return None
    if facts.is_owner or facts.proxy is None:
        return None
    mask = facts.proxy.permissions
    return frozenset(n for n, bit in policy.PERMISSIONS.items() if mask & bit)


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
            permissions = _live_permissions(user, chosen["patient_id"])
            if permissions is not None:
                found = {
                    "patient_id": chosen["patient_id"],
                    "name": chosen.get("name", ""),
                    "permissions": permissions,
                }
            else:
                stop(request)  # revoked or expired: back to one's own space at once
                _tell_ended(request, user, chosen["patient_id"])
    request._carnet_acting_for = found
    return found


def _tell_ended(request, user, patient_id: int) -> None:
    """Say, on the page the person lands on, that the access ended: when, and by whom."""
    ended = next((e for e in proxies.ended_for(user) if e.patient_id == patient_id), None)
    text = proxies.ended_sentence(ended) if ended else proxies.no_longer_sentence()
    request._carnet_ended_told = True
    try:
        messages.warning(request, text)
    except messages.MessageFailure:
        pass  # a request without the messages middleware (an API call): nothing to say


def forget(request) -> None:
    """Drop the per-request cache (after switching within one request)."""
    if hasattr(request, "_carnet_acting_for"):
        del request._carnet_acting_for


def context(request) -> dict:
    """Template context processor: ``acting_for`` on every page, and ``has_relatives``
    (asked only by the pages that show it: the menu's « Mes proches »)."""
    user = getattr(request, "user", None)
    return {
        "acting_for": current(request),
        "has_relatives": functools.partial(proxies.acts_for_anyone, user),
    }


# --- Whose record a page is about ----------------------------------------------------------


@dataclass(frozen=True)
class Whose:
    """The record a page of the citizen's space is about, and who asks.

    ``purpose`` is ``self`` on one's own record, ``proxy`` while acting for someone;
    ``name`` is the represented person's name ("" on one's own record); ``permissions``
    what the proxy was given (all of them on one's own record). What may really be seen
    or done is still decided by ``access`` on every read and write.
    """

    actor: Actor
    patient_id: int
    purpose: str
    name: str = ""
    permissions: frozenset[str] = PERMISSIONS

    @property
    def acting(self) -> bool:
        return self.purpose == Purpose.PROXY

    def may(self, permission: str) -> bool:
        return permission in self.permissions


class NotPermitted(Exception):
    """A proxy opened a page that needs a permission the person did not give them."""

    def __init__(self, whose: Whose, permission: str):
        super().__init__(f"the proxy may not {permission}")
        self.whose = whose
        self.permission = permission


def whose(request, need: str | None = None) -> Whose | None:
    """(actor, record, purpose) of the page: the record of the person the user acts for
    now, else their own; None when they have neither (a practitioner, an advisor).

    ``need`` is the proxy permission the page needs (read, appointments, messages,
    manage): a proxy without it gets ``NotPermitted``. One's own record needs none.
    """
    user = request.user
    actor = Actor.of_user(user)
    chosen = current(request)
    if chosen is not None:
        found = Whose(
            actor,
            chosen["patient_id"],
            Purpose.PROXY,
            chosen["name"] or str(_this_person()),
            chosen["permissions"],
        )
        if need is not None and not found.may(need):
            raise NotPermitted(found, need)
        return found
    patient = accounts.patient_of(user)
    if patient is None:
        return None
    return Whose(actor, patient.pk, Purpose.SELF)


def _this_person():
    from django.utils.translation import gettext

    return gettext("this person")
