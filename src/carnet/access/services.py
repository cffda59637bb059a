"""The one rule of data access: every read or write of a person's health data asks here.

``authorize`` states who (actor), for whom (patient), what (action, resource type,
labels) and why (purpose); it decides, writes the audit entry, and only a permit lets
``records`` decrypt. Deny is the default and any error is a deny.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Patient, User

from . import audit, policy, signals
from .models import AuditEntry
from .policy import Permit

log = logging.getLogger("carnet.access")


class Purpose(models.TextChoices):
    SELF = "self", _("the person themself")
    TREATMENT = "treatment", _("care")
    EMERGENCY = "emergency", _("emergency")
    PROXY = "proxy", _("on behalf of the person")
    ASSISTANCE = "assistance", _("help at a public help point")
    RESEARCH = "research", _("research")
    OPERATIONS = "operations", _("platform operations requested by the person or the law")
    APP = "app", _("an app the person connected")


class Action(models.TextChoices):
    READ = "read", _("read")
    SEARCH = "search", _("searched")
    CREATE = "create", _("added")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    IMPORT = "import", _("imported")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")
    # Consent: the person (or their legal representative) changing who sees what.
    GRANT = "grant", _("gave access")
    REVOKE = "revoke", _("withdrew access")
    MASK = "mask", _("changed who sees an item")
    SETTINGS = "settings", _("changed emergency settings")
    BREAK_GLASS = "break_glass", _("opened in an emergency")
    # Services of the Plateforme a proxy may use for the person.
    APPOINTMENTS = "appointments", _("managed appointments")
    MESSAGES = "messages", _("wrote messages")
    READ_MESSAGES = "read_messages", _("read messages")


@dataclass(frozen=True)
class Actor:
    """Who is asking. ``user_id`` is None for the platform's own command line."""

    user_id: int | None
    role: str
    label: str
    organisation: str = ""

    @classmethod
    def of_user(cls, user: User) -> Actor:
        return cls(
            user_id=user.pk,
            role=user.role,
            label=str(user),
            organisation=getattr(user, "organisation", ""),
        )

    @classmethod
    def of_app(cls, app_id: int, name: str, publisher: str = "") -> Actor:
        """An app of the catalogue (``carnet.smart``) acting with the person's consent.

        Its id is negative (``-app_id``) so that it can never be taken for an account: not
        for the record's owner, nor for anyone in the access history."""
        return cls(user_id=-int(app_id), role="app", label=name, organisation=publisher)

    @property
    def app_id(self) -> int | None:
        return -self.user_id if self.role == "app" and self.user_id is not None else None

    @classmethod
    def operator(cls, label: str = "Carnet operator (command line)") -> Actor:
        return cls(user_id=None, role="operator", label=label)


class NotFound(Exception):
    """Denied, answered as 'not found' so that nothing reveals what exists."""


def decide(
    actor: Actor,
    patient_id: int,
    action: str,
    purpose: str,
    labels: tuple[str, ...] = (),
    *,
    now: datetime | None = None,
) -> Permit:
    """The policy decision point: pure (reads facts, writes nothing). Anything unexpected is a deny.

    ``labels`` are those of the one item concerned (``labels.of_resource`` plus the
    person's masks), or empty for an operation on the whole record, whose permit then
    carries the ``view`` that records must apply. Decisions are never cached: a
    revocation takes effect on the very next request.
    """
    try:
        action, purpose = Action(action), Purpose(purpose)
        if actor.user_id is None:
            facts = policy.Facts(exists=True)
        else:
            facts = policy.load_facts(actor, int(patient_id), now or timezone.now())
        decision = policy.evaluate(actor, facts, str(action), str(purpose), tuple(labels))
        return replace(
            decision, actor=actor, patient_id=int(patient_id), purpose=purpose, action=action
        )
    except Exception:  # deny on error, never fail open
        log.exception("access decision failed; denying")
        return Permit(False, "error while deciding")


def purpose_for(actor: Actor, patient_id: int) -> str:
    """The purpose an actor reaches a record for: their own, as a proxy, in an emergency, or care.

    It only picks the purpose to ask ``decide`` about; it grants nothing. An emergency in
    progress wins over a narrower grant so that the emergency dataset is shown and the
    access is flagged.
    """
    if actor.role == "app":
        return Purpose.APP
    try:
        facts = policy.load_facts(actor, int(patient_id), timezone.now())
    except Exception:
        log.exception("could not pick a purpose; care will be asked and denied")
        return Purpose.TREATMENT
    if facts.is_owner:
        return Purpose.SELF
    if facts.proxy is not None:
        return Purpose.PROXY
    if facts.assistance is not None:
        return Purpose.ASSISTANCE
    if facts.emergency_id is not None and not facts.emergency_refused:
        return Purpose.EMERGENCY
    return Purpose.TREATMENT


def _first_look(actor: Actor, patient_id: int) -> bool:
    return not AuditEntry.objects.filter(
        patient_id=patient_id, actor_id=actor.user_id, decision="permit"
    ).exists()


def record(
    actor: Actor,
    patient_id: int,
    action: str,
    purpose: str,
    decision: Permit,
    *,
    resource_type: str = "",
    count: int = 0,
    what: str = "",
    reason: str = "",
    kinds: dict[str, int] | None = None,
) -> None:
    """Write the audit entry of a decision (call it inside the transaction of the work).

    ``kinds``: for a read, how many items of each resource type it opens (« 3 vaccins et
    1 ordonnance » in the person's history); kinds and counts only, never what the items
    say, and sealed with the other details.

    A proxy's entry says "proxy X acting for the person"; a practitioner's first permitted
    look at a record sends ``signals.access_event`` ("first_look") once the work commits.
    """
    details: dict[str, Any] = {
        "actor": actor.label,
        "organisation": actor.organisation,
        "what": what,
        "reason": reason,
        "decision_reason": decision.reason,
    }
    if kinds:
        details["kinds"] = {str(t): int(n) for t, n in sorted(kinds.items()) if n}
    if str(purpose) == Purpose.PROXY:
        details["acting_for"] = _owner_label(patient_id)
    elif str(purpose) == Purpose.ASSISTANCE:
        details["presence"] = "1"  # at a help point, with the person present
    first = (
        decision.permit
        and actor.role == "practitioner"
        # An emergency tells the person urgently on its own (emergency.break_glass).
        and str(purpose) == Purpose.TREATMENT
        and _first_look(actor, patient_id)
    )
    audit.append(
        patient_id=patient_id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        action=str(action),
        purpose=str(purpose),
        decision="permit" if decision.permit else "deny",
        resource_type=resource_type,
        count=count,
        details=details,
        flagged=decision.flagged,
    )
    if first:
        signals.send_on_commit(patient_id, "first_look", actor.label, urgent=False)


def _owner_label(patient_id: int) -> str:
    p = Patient.objects.filter(pk=patient_id).select_related("owner").first()
    return str(p.owner) if p and p.owner else f"patient {patient_id}"


def require(
    actor: Actor,
    patient_id: int,
    action: str,
    purpose: str,
    *,
    audit_now: bool = True,
    labels: tuple[str, ...] = (),
    **details: Any,
) -> Permit:
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


def on_open(
    actor: Actor, patient_id: int, action: str, purpose: str, decision: Permit, **details: Any
) -> Callable[[dict[str, int]], None]:
    """For a read permitted with ``audit_now=False``: the callback ``records.store.open_rows``
    calls with the kinds it is about to decrypt (``{"Immunization": 3}``), before decrypting,
    so that the entry says what was opened. Called once; later calls write nothing."""
    done: list[bool] = []

    def write(kinds: dict[str, int]) -> None:
        if done:
            return
        done.append(True)
        record(
            actor,
            patient_id,
            action,
            purpose,
            decision,
            count=sum(kinds.values()),
            kinds=kinds,
            **details,
        )

    return write


def participant(
    actor: Actor, patient_id: int, reason: str, purpose: str = Purpose.EMERGENCY
) -> Permit:
    """A permit to the messages of a conversation the person asked ``actor`` into (the
    emergency chat, a question to the help desk): it opens what is written there, and
    nothing of the record (no view)."""
    return Permit(
        True,
        reason,
        actor=actor,
        patient_id=int(patient_id),
        purpose=purpose,
        action=Action.MESSAGES,
    )


def authorize_consent(actor: Actor, patient_id: int, action: str) -> tuple[Permit, str]:
    """Permit a change of consent (share, revoke, mask, emergency settings) or raise NotFound.

    Only the person or a proxy who manages their record (a parent, a legal
    representative) may change who sees what. The caller writes the audit entry with
    ``record`` inside the transaction of the change.
    """
    purpose = person_side(actor, patient_id, action, what=str(action))
    decision = require(actor, patient_id, action, purpose, audit_now=False, what=str(action))
    return decision, purpose


def person_side(
    actor: Actor, patient_id: int, action: str, *, what: str = "", quiet: bool = False
) -> str:
    """The purpose (``self`` or ``proxy``) of an actor on the person's own side of a record
    (their messages, appointments, reminders, sharing, history), or NotFound. An advisor in a
    live help session at a public help point gets ``assistance``: the policy then allows only
    what the person chose for the session.

    Anyone else is denied through ``require``, so that the refusal lands in the person's
    access history with its true reason: a citizen is asked as a proxy (« the proxy you
    gave them ended on … », « they have no proxy from you »), anyone else as the person
    (« it is not their record »). It only picks the purpose: the caller still asks
    ``require`` (or ``decide``) for the action itself. ``quiet``: a page polled every few
    seconds (a chat's new lines) is refused without a new entry each time; the act the person
    tries there (sending, closing) is audited.
    """
    purpose = purpose_for(actor, patient_id)
    if purpose in (Purpose.SELF, Purpose.PROXY, Purpose.ASSISTANCE):
        return purpose
    if quiet:
        raise NotFound()
    asked = {"citizen": Purpose.PROXY, "advisor": Purpose.ASSISTANCE}.get(actor.role, Purpose.SELF)
    require(actor, patient_id, action, asked, audit_now=False, what=what)
    raise NotFound()  # the policy permitted what purpose_for did not see: deny all the same
