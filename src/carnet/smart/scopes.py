"""SMART App Launch 2.2 scopes: what an app may ask, parsed into resource types and actions.

``patient/Observation.rs`` (v2: c r u d s), ``patient/*.rs``, the v1 forms ``.read`` and
``.write``, and the context scopes ``launch/patient``, ``openid``, ``fhirUser``,
``offline_access``. Carnet offers reading and searching only: an app asking to write is
refused when it is registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carnet.access import labels as L

CONTEXT_SCOPES = ("launch", "launch/patient", "openid", "fhirUser", "offline_access")
RESOURCE_RE = re.compile(r"^patient/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|c?r?u?d?s?)$")
# The record's resource types an app may name (those of the FHIR API's capability statement).
RECORD_TYPES = tuple(sorted(L.TYPE_CATEGORY))
OFFERED = frozenset("rs")  # read and search


class ScopeError(ValueError):
    """A scope Carnet does not know or does not offer."""


@dataclass(frozen=True)
class ResourceScope:
    resource_type: str  # a FHIR type or "*"
    permissions: frozenset[str]  # letters of "cruds"


def resource_scope(scope: str) -> ResourceScope | None:
    """``patient/Observation.rs`` -> ResourceScope; None for a context scope; ScopeError else."""
    if scope in CONTEXT_SCOPES:
        return None
    m = RESOURCE_RE.match(scope)
    if not m or not m.group(2):
        raise ScopeError(f"unknown scope {scope[:80]!r}")
    rtype, perms = m.group(1), m.group(2)
    if rtype != "*" and rtype not in L.TYPE_CATEGORY:
        raise ScopeError(f"unknown resource type in scope {scope[:80]!r}")
    letters = {"read": "rs", "write": "cud"}.get(perms, perms)
    return ResourceScope(rtype, frozenset(letters))


def parse(scopes: str | list[str]) -> list[str]:
    """The scopes of a space-separated string (or list), each checked; ScopeError on any."""
    items = scopes.split() if isinstance(scopes, str) else list(scopes)
    for s in items:
        resource_scope(s)
    return items


def check_offered(scopes: list[str]) -> None:
    """Carnet reads and searches only: a scope asking to create, update or delete is refused."""
    for s in scopes:
        rs = resource_scope(s)
        if rs is not None and not rs.permissions <= OFFERED:
            raise ScopeError(f"{s}: Carnet lets apps read and search only")


def allows(scopes: list[str], resource_type: str, action: str) -> bool:
    """Whether these scopes let the app ``read`` or ``search`` ``resource_type``."""
    letter = {"read": "r", "search": "s"}[action]
    for s in scopes:
        try:
            rs = resource_scope(s)
        except ScopeError:
            continue
        if rs and rs.resource_type in ("*", resource_type) and letter in rs.permissions:
            return True
    return False


def categories_of_type(resource_type: str) -> set[str]:
    if resource_type == "*":
        return set(L.CATEGORIES)
    if resource_type == "Observation":  # results, or measurements (vital signs, activity)
        return {L.Category.RESULTS, L.Category.MEASUREMENTS}
    return {str(L.TYPE_CATEGORY.get(resource_type, L.Category.OTHER))}


def kinds(scopes: list[str]) -> list[str]:
    """The kinds of items (``labels.CATEGORIES``) the scopes reach, in the Coffre's order."""
    found: set[str] = set()
    for s in scopes:
        rs = resource_scope(s)
        if rs is not None:
            found |= categories_of_type(rs.resource_type)
    return [c for c in L.CATEGORIES if c in found]


def narrowed(scopes: list[str], kept: set[str]) -> list[str]:
    """The scopes left when the person keeps only the kinds ``kept``."""
    out = []
    for s in scopes:
        rs = resource_scope(s)
        if rs is None or categories_of_type(rs.resource_type) & kept:
            out.append(s)
    return out


def within(asked: list[str], allowed: list[str]) -> bool:
    """Whether every scope asked is one the catalogue allows this app (``*`` covers types)."""
    for s in asked:
        rs = resource_scope(s)
        if rs is None:
            if s not in allowed:
                return False
            continue
        if not any(
            (a := resource_scope(x)) is not None
            and a.resource_type in ("*", rs.resource_type)
            and rs.permissions <= a.permissions
            for x in allowed
        ):
            return False
    return True


def every_scope() -> dict[str, str]:
    """Every scope Carnet knows, for django-oauth-toolkit's scope backend."""
    out = {s: s for s in CONTEXT_SCOPES}
    for t in ("*", *RECORD_TYPES):
        for p in ("rs", "r", "s", "read"):
            out[f"patient/{t}.{p}"] = f"patient/{t}.{p}"
    return out
