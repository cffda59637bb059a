"""The one rule of data access: every read or write of a person's health data asks here.

``authorize`` states who (actor), for whom (patient), what (action, resource type,
labels) and why (purpose); it decides, writes the audit entry, and only a permit lets
``records`` decrypt. Deny is the default and any error is a deny.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import audit

log = logging.getLogger("carnet.access")


class Purpose(models.TextChoices):
    SELF = "self", _("the person themself")
    TREATMENT = "treatment", _("care")
    EMERGENCY = "emergency", _("emergency")
    PROXY = "proxy", _("on behalf of the person")
    ASSISTANCE = "assistance", _("help at a public help point")
    RESEARCH = "research", _("research")
    OPERATIONS = "operations", _("platform operations requested by the person or the law")


class Action(models.TextChoices):
    READ = "read", _("read")
    SEARCH = "search", _("searched")
    CREATE = "create", _("added")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    IMPORT = "import", _("imported")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")


WRITE_ACTIONS = {Action.CREATE, Action.UPDATE, Action.DELETE, Action.IMPORT}
OPERATOR_ACTIONS = {Action.IMPORT, Action.EXPORT, Action.ERASE, Action.CREATE}


@dataclass(frozen=True)
class Actor:
    """Who is asking. ``user_id`` is None for the platform's own command line."""

    user_id: int | None
    role: str
    label: str
    organisation: str = ""

    @classmethod
    def of_user(cls, user) -> Actor:
        return cls(
            user_id=user.pk,
            role=user.role,
            label=str(user),
            organisation=getattr(user, "organisation", ""),
        )

    @classmethod
    def operator(cls, label: str = "Carnet operator (command line)") -> Actor:
        return cls(user_id=None, role="operator", label=label)


@dataclass(frozen=True)
class Decision:
    permit: bool
    reason: str
    obligations: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self):
        return self.permit


class NotFound(Exception):
    """Denied, answered as 'not found' so that nothing reveals what exists."""


def _owner_id(patient_id: int) -> int | None:
    from carnet.accounts.models import Patient  # the owner is an account fact

    return Patient.objects.filter(pk=patient_id).values_list("owner_id", flat=True).first()


def decide(
    actor: Actor, patient_id: int, action: str, purpose: str, labels: tuple[str, ...] = ()
) -> Decision:
    """The policy decision: pure, no side effect. Anything unexpected is a deny."""
    try:
        action, purpose = Action(action), Purpose(purpose)
        if actor.user_id is None:
            if (
                actor.role == "operator"
                and purpose == Purpose.OPERATIONS
                and action in OPERATOR_ACTIONS
            ):
                return Decision(True, "operator command on the person's or the law's request")
            return Decision(False, "no such permission")
        if purpose == Purpose.SELF:
            if _owner_id(patient_id) == actor.user_id:
                return Decision(True, "the person's own record")
            return Decision(False, "not the person's own record")
        return Decision(False, "no sharing grant")
    except Exception:  # deny on error, never fail open
        log.exception("access decision failed; denying")
        return Decision(False, "error while deciding")


def record(
    actor: Actor,
    patient_id: int,
    action: str,
    purpose: str,
    decision: Decision,
    *,
    resource_type: str = "",
    count: int = 0,
    what: str = "",
    reason: str = "",
) -> None:
    """Write the audit entry of a decision (call it inside the transaction of the work)."""
    audit.append(
        patient_id=patient_id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        action=str(action),
        purpose=str(purpose),
        decision="permit" if decision.permit else "deny",
        resource_type=resource_type,
        count=count,
        details={
            "actor": actor.label,
            "organisation": actor.organisation,
            "what": what,
            "reason": reason,
            "decision_reason": decision.reason,
        },
    )


def require(
    actor: Actor,
    patient_id: int,
    action: str,
    purpose: str,
    *,
    audit_now: bool = True,
    labels: tuple[str, ...] = (),
    **details,
) -> Decision:
    """Decide; a deny is audited at once and raised as NotFound.

    Call it outside any transaction, so that a deny is kept. A permit is audited at once
    for reads; writers pass ``audit_now=False`` and call ``record`` inside their own
    transaction, so that the entry and the change land together or not at all.
    """
    decision = decide(actor, patient_id, action, purpose, labels)
    if not decision.permit:
        record(actor, patient_id, action, purpose, decision, **details)
        raise NotFound()
    if audit_now:
        record(actor, patient_id, action, purpose, decision, **details)
    return decision
