"""The policy itself: pure functions from facts (who holds what, now) to a decision.

``services.decide`` loads the facts once per request (``load_facts``) and calls
``evaluate``; nothing here writes anything, so the same rules can be checked by property
tests against an independent model. A ``View`` is what a permit lets the actor see of a
record: ``records.store.restrict`` turns it into SQL (blind tokens and mask ids) and
``View.allows`` applies it to one item's labels. Both must agree; the Hypothesis suite
checks that they do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from carnet.accounts.models import Patient
from carnet.vault import sealed

from . import labels as L
from .models import AssistanceSession, EmergencyAccess, EmergencySettings, Grant, Proxy

if TYPE_CHECKING:
    from .services import Actor

# Proxy permissions (bitmask): what a relative may do for the person.
PERM_READ = 1
PERM_APPOINTMENTS = 2
PERM_MESSAGES = 4
PERM_MANAGE = 8  # manage the record itself: a parent, a legal representative
PERMISSIONS = {
    "read": PERM_READ,
    "appointments": PERM_APPOINTMENTS,
    "messages": PERM_MESSAGES,
    "manage": PERM_MANAGE,
}


@dataclass(frozen=True)
class View:
    """What of a record a permit shows (``all`` for the person themself and operators)."""

    all: bool = False
    scopes: frozenset[str] | None = None  # None: every category
    max_level: str = "N"
    hidden_audiences: frozenset[str] = frozenset({"referent", "self"})
    hide_parent_confidential: bool = False
    emergency: bool = False

    def allows(self, labels: Iterable[str]) -> bool:
        """Whether one item with these labels (tokens and masks) is visible."""
        if self.all:
            return True
        labels = set(labels)
        # Deny by default: an item whose labels were never computed shows to nobody else.
        if not any(lb.startswith("conf:") for lb in labels):
            return False
        level = L.level_of(labels)
        if self.emergency:
            if "mask:self" in labels or "mask:no-emergency" in labels:
                return False
            if "set:emergency" in labels:
                return True
            return "mask:referent" not in labels and level != "V"
        for audience in self.hidden_audiences:
            if f"mask:{audience}" in labels:
                return False
        if self.hide_parent_confidential and "mask:not-parents" in labels:
            return False
        if L.LEVELS.index(level) > L.LEVELS.index(self.max_level):
            return False
        if self.scopes is not None and "set:identity" not in labels:
            scopes = {lb[6:] for lb in labels if lb.startswith("scope:")}
            if not scopes or not scopes <= self.scopes:
                return False
        return True


ALL = View(all=True)


@dataclass(frozen=True)
class Permit:
    """What ``access`` decided: permit or deny, why, what must follow (obligations), and
    for a permit who (actor) may do what (action) on whose record (patient) for what
    (purpose), and what of it they see (``view``).

    A permit is the only key to plaintext: ``records.store`` and ``vault.sealed`` decrypt
    nothing without one, and take the patient from it. ``records`` filters every query
    with its ``view``, so one permit per request covers every item the request touches.
    A deny (``permit`` False) opens nothing.
    """

    permit: bool
    reason: str
    obligations: tuple[str, ...] = field(default_factory=tuple)
    view: View | None = None
    actor: Any = None  # an ``access.services.Actor``
    patient_id: int | None = None
    purpose: str = ""
    action: str = ""

    def __bool__(self) -> bool:
        return self.permit

    @property
    def flagged(self) -> bool:
        return "flag-for-review" in self.obligations


sealed.accept_permits(Permit)  # the vault opens data for this class of permit only


EMERGENCY = View(emergency=True, max_level="R")
# What a research contribution reads: nothing sensitive, nothing the person hid from anyone.
RESEARCH = View(max_level="N", hidden_audiences=frozenset({"care_team", "referent", "self"}))


@dataclass(frozen=True)
class GrantFact:
    id: int
    kind: str  # referent | care
    categories: int
    max_level: str
    mode: str  # read | write


@dataclass(frozen=True)
class ProxyFact:
    id: int
    permissions: int
    basis: str
    max_level: str


@dataclass(frozen=True)
class AssistFact:
    """A live help session at a public help point: what the person chose the advisor may do."""

    id: int
    scopes: frozenset[str]


# What each action of an advisor at a help point needs among the scopes the person chose.
# An advisor never changes who sees what beyond sharing with a doctor, never adds or edits
# an item of the record by hand, never reads messages; everything else is refused.
ASSIST_NEEDS = {
    "read": "read",
    "search": "read",
    "import": "import",
    "update": "reminders",  # reminders and agenda entries (never a record item: see evaluate)
    "grant": "share",
}


@dataclass(frozen=True)
class Facts:
    """Everything the policy needs about one actor and one record, at one instant."""

    exists: bool
    is_owner: bool = False
    referent: GrantFact | None = None
    grant: GrantFact | None = None
    proxy: ProxyFact | None = None
    emergency_id: int | None = None
    emergency_refused: bool = False
    had_grant: bool = False  # a sharing that ended (revoked or expired): a truer refusal
    had_proxy: bool = False  # a proxy that ended
    assistance: AssistFact | None = None  # an advisor's live help session at a help point
    had_assistance: bool = False  # a help session that ended (by either side, or in time)
    # A minor's record (a parent's authority is live): every proxy acts within the
    # parents' reach, so none sees what the minor keeps from them.
    minor: bool = False
    now: datetime | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _live(row: Grant | Proxy, now: datetime) -> bool:
    # A grant expiring exactly now is over: the boundary belongs to the past.
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)


def load_facts(actor: Actor, patient_id: int, now: datetime) -> Facts:
    """Read the facts for ``actor`` on ``patient_id`` (a few indexed queries, no writes)."""
    owner = list(Patient.objects.filter(pk=patient_id).values_list("owner_id", flat=True)[:1])
    exists = bool(owner)
    if actor.role == "app":
        return _app_facts(actor, patient_id, exists, now)
    if exists and actor.user_id is not None and owner[0] == actor.user_id:
        return Facts(exists=True, is_owner=True, now=now)
    if actor.user_id is None:
        return Facts(exists=exists, now=now)
    # A record that does not exist is asked the same questions as one the actor has no
    # link to: a refusal costs the same either way, and tells nothing by its time.
    referent = grant = proxy = None
    minor = False
    # Ended grants and proxies are read in the same query as live ones (one query either
    # way): a refusal can then say « your sharing ended on … » at no extra cost.
    had_grant = had_proxy = had_assistance = False
    assistance = None
    if actor.role == "advisor":
        for a in AssistanceSession.objects.filter(patient_id=patient_id, advisor_id=actor.user_id):
            if a.ended_at is not None or a.expires_at <= now:
                had_assistance = True
            elif assistance is None or a.id > assistance.id:
                scopes = frozenset(s for s in a.scopes.split(",") if s)
                assistance = AssistFact(a.id, scopes)
    elif actor.role == "practitioner":
        for g in Grant.objects.filter(patient_id=patient_id, grantee_id=actor.user_id):
            if not _live(g, now):
                had_grant = True
                continue
            fact = GrantFact(g.id, g.kind, g.categories, g.max_level, g.mode)
            if g.kind == "referent":
                referent = fact
            elif grant is None or g.id > grant.id:
                grant = fact  # the newest grant replaces older ones (see grants.share)
    else:
        for p in Proxy.objects.filter(patient_id=patient_id, proxy_id=actor.user_id):
            if not _live(p, now):
                had_proxy = True
            elif proxy is None or p.id > proxy.id:
                proxy = ProxyFact(p.id, p.permissions, p.basis, p.max_level)
        if proxy is not None and proxy.basis != "parent":
            minor = Proxy.objects.filter(
                patient_id=patient_id, basis="parent", revoked_at__isnull=True, expires_at__gt=now
            ).exists()
    emergency_id, refused = None, False
    if actor.role == "practitioner":
        refused = EmergencySettings.objects.filter(patient_id=patient_id, refuse=True).exists()
        session = (
            EmergencyAccess.objects.filter(
                patient_id=patient_id,
                practitioner_id=actor.user_id,
                ended_at__isnull=True,
                expires_at__gt=now,
            )
            .values_list("id", flat=True)
            .first()
        )
        emergency_id = session
    if not exists:
        return Facts(exists=False, now=now)
    return Facts(
        exists=True,
        referent=referent,
        grant=grant,
        proxy=proxy,
        emergency_id=emergency_id,
        emergency_refused=refused,
        had_grant=had_grant,
        had_proxy=had_proxy,
        assistance=assistance,
        had_assistance=had_assistance,
        minor=minor,
        now=now,
    )


def _app_facts(actor: Actor, patient_id: int, exists: bool, now: datetime) -> Facts:
    """An app's facts: the grant the person gave it (``kind="app"``), never ownership."""
    grant, had_grant = None, False
    # An app's grant names it by its actor id (minus its catalogue id): never an account's.
    rows = Grant.objects.filter(patient_id=patient_id, grantee_id=actor.user_id or 0, kind="app")
    for g in rows:
        if not _live(g, now):
            had_grant = True
        elif grant is None or g.id > grant.id:
            grant = GrantFact(g.id, g.kind, g.categories, g.max_level, g.mode)
    if not exists:
        return Facts(exists=False, now=now)
    return Facts(exists=True, grant=grant, had_grant=had_grant, now=now)


READS = {"read", "search"}
WRITES = {"create", "update"}
CONSENT = {"grant", "revoke", "mask", "settings"}


def evaluate(
    actor: Actor, facts: Facts, action: str, purpose: str, labels: Iterable[str] = ()
) -> Permit:
    """Permit or deny ``action`` for ``purpose``, given the facts; returns a ``Permit``."""

    def deny(reason: str) -> Permit:
        return Permit(False, reason)

    if actor.user_id is None:
        if actor.role == "operator" and purpose == "operations" and action in OPERATOR_ACTIONS:
            return Permit(True, "operator command on the person's or the law's request", view=ALL)
        return deny("no such permission")
    if not facts.exists:
        return deny("no such record")

    if purpose == "self":
        if not facts.is_owner:
            return deny("not the person's own record")
        return Permit(True, "the person's own record", view=ALL)

    if purpose == "treatment":
        if actor.role != "practitioner":
            return deny("only health professionals act for care")
        if facts.referent is not None:
            view = View(scopes=None, max_level="V", hidden_audiences=frozenset({"self"}))
            basis, may_write = "médecin traitant", True
        elif facts.grant is not None:
            g = facts.grant
            # Every category granted: no scope filter at all (one subquery less per request).
            scopes = (
                None
                if g.categories == L.ALL_CATEGORIES_MASK
                else L.categories_of_mask(g.categories)
            )
            view = View(scopes=scopes, max_level=g.max_level)
            basis, may_write = "sharing grant", g.mode == "write"
        else:
            return deny("sharing ended" if facts.had_grant else "no sharing grant")
        if action in READS or (action in WRITES and may_write):
            return _on_item(Permit(True, basis, view=view), labels)
        return deny(f"{basis} does not allow {action}")

    if purpose == "emergency":
        if actor.role != "practitioner":
            return deny("only health professionals break the glass")
        if facts.emergency_refused:
            return deny("the person refused emergency access in advance")
        if facts.emergency_id is None:
            return deny("no emergency access in progress")
        if action not in READS:
            return deny("emergency access only reads")
        decision = Permit(
            True, "emergency access (break the glass)", ("flag-for-review",), view=EMERGENCY
        )
        return _on_item(decision, labels)

    if purpose == "proxy":
        p = facts.proxy
        if p is None:
            return deny("proxy ended" if facts.had_proxy else "no proxy for this person")
        parent = p.basis == "parent"
        view = View(
            scopes=None,
            max_level=p.max_level,
            hidden_audiences=frozenset({"referent", "self"}),
            hide_parent_confidential=parent or facts.minor,
        )
        needed = {
            "read": PERM_READ,
            "search": PERM_READ,
            "appointments": PERM_APPOINTMENTS,
            "messages": PERM_MESSAGES,
            "read_messages": PERM_MESSAGES,
        }.get(action)
        if needed is None and (action in WRITES | CONSENT | {"import", "export"}):
            needed = PERM_MANAGE
        if needed is None or not p.permissions & needed:
            return deny(f"the proxy may not {action}")
        reason = "parent of a minor" if parent else f"proxy ({p.basis})"
        return _on_item(Permit(True, reason, view=view), labels)

    if purpose == "assistance":
        # An advisor at a public help point, the person present, within what the person chose
        # for this session (at most 30 minutes, ended by either side at any moment).
        if actor.role != "advisor":
            return deny("only advisors at a help point assist")
        a = facts.assistance
        if a is None:
            return deny("help session ended" if facts.had_assistance else "no help session")
        need = ASSIST_NEEDS.get(action)
        if need is None or need not in a.scopes:
            return deny(f"the help session does not allow {action}")
        if action == "update" and labels:
            return deny("the help session does not allow update")  # reminders, not items
        view = View(
            scopes=None,
            max_level="N",  # never anything sensitive
            hidden_audiences=frozenset({"referent", "self"}),
            hide_parent_confidential=True,  # what a minor keeps from parents, kept from desks too
        )
        return _on_item(Permit(True, "help at a public help point", view=view), labels)

    if purpose == "app":
        # An app the person connected (carnet.smart): its grant's kinds and level, never
        # an item masked to the médecin traitant or to the person alone.
        app_grant = facts.grant
        if actor.role != "app" or app_grant is None or app_grant.kind != "app":
            return deny("app disconnected" if facts.had_grant else "app not connected")
        mask = app_grant.categories
        scopes = None if mask == L.ALL_CATEGORIES_MASK else L.categories_of_mask(mask)
        view = View(scopes=scopes, max_level=app_grant.max_level)
        if action in READS or (action in WRITES and app_grant.mode == "write"):
            return _on_item(Permit(True, "app connected by the person", view=view), labels)
        return deny(f"the app may not {action}")

    if purpose == "research":
        # Contributing to anonymous figures (carnet.research): only the person's own account,
        # which the contribution service acts as once the person has turned contributing on,
        # reads their record for it, and sees only what is neither sensitive nor hidden from
        # anyone. No researcher ever holds a permit on a record.
        if not facts.is_owner:
            return deny("only the person's own consent lets their data into research")
        if action not in READS:
            return deny("research contribution only reads")
        return _on_item(Permit(True, "the person's consent to research", view=RESEARCH), labels)

    # anything else is not a purpose at all.
    return deny("no such permission")


def _on_item(decision: Permit, labels: Iterable[str]) -> Permit:
    """A permit on a whole record narrows to a deny when the one item named is not visible."""
    if labels and (decision.view is None or not decision.view.allows(labels)):
        return Permit(False, "item not shared with this person")
    return decision


OPERATOR_ACTIONS = {"import", "export", "erase", "create", "read"}
