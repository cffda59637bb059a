"""Proxies: a relative acting for the person, and parents managing a minor's record.

A proxy is a citizen account with permissions (read, manage appointments, write messages,
manage the record), a legal basis (the person's choice, a mandat de protection future, a
court decision, parental authority) and an end date. Every access a proxy makes is
recorded in the person's history as "proxy X acting for the person".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, Role, User

from . import policy, services, signals
from .masks import years_before
from .models import LEVEL_CODES, PROXY_BASES, AuditEntry, Proxy
from .services import Action, Actor, NotFound, Purpose

PERMISSIONS = policy.PERMISSIONS  # read, appointments, messages, manage


class ProxyRefused(ValueError):
    """The proxy asked for cannot exist (unknown person, permission or basis)."""


@dataclass(frozen=True)
class ProxyInfo:
    id: int
    patient_id: int
    proxy_id: int
    proxy: str
    permissions: frozenset[str]
    basis: str
    max_level: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    live: bool


def permissions_mask(names) -> int:
    try:
        mask = 0
        for n in names:
            mask |= PERMISSIONS[n]
    except KeyError:
        raise ProxyRefused("unknown permission") from None
    if not mask:
        raise ProxyRefused("choose at least one permission")
    return mask


def _citizen(user_id: int):
    user = User.objects.filter(pk=user_id, role=Role.CITIZEN, is_active=True).first()
    if user is None:
        raise ProxyRefused("a proxy is a person with a Carnet account")
    return user


def add_proxy(
    actor: Actor,
    patient_id: int,
    proxy_user_id: int,
    *,
    permissions=("read",),
    basis: str = "choice",
    until: datetime | None = None,
    max_level: str = "N",
) -> Proxy:
    """Let a relative act for the person: ``permissions`` among read, appointments, messages, manage.

    ``basis``: ``choice`` (the person's own choice), ``mandate`` (mandat de protection
    future) or ``court`` (a court decision); ``until``: end date or None (until revoked);
    ``max_level``: how sensitive the items they may read can be (N by default: the person
    opens sensitive items to a relative explicitly). Replaces that relative's previous
    proxy. Raises ProxyRefused or NotFound.
    """
    if basis not in PROXY_BASES or basis == "parent":
        raise ProxyRefused("unknown legal basis")  # parents: see add_child
    if max_level not in LEVEL_CODES:
        raise ProxyRefused("unknown level")
    mask = permissions_mask(permissions)
    now = timezone.now()
    if until is not None and until <= now:
        raise ProxyRefused("the end date is in the past")
    decision, purpose = services.authorize_consent(actor, patient_id, Action.GRANT)
    who = _citizen(proxy_user_id)
    if who.pk == actor.user_id and purpose == Purpose.SELF:
        raise ProxyRefused("one cannot be one's own proxy")
    with transaction.atomic():
        proxy = _create(patient_id, who.pk, mask, basis, max_level, now, until)
        services.record(
            actor,
            patient_id,
            Action.GRANT,
            purpose,
            decision,
            what=f"proxy {who}: {', '.join(sorted(_names(mask)))}; {basis}",
        )
        signals.send_on_commit(patient_id, "proxy_created", str(who))
    return proxy


def _create(patient_id, proxy_id, mask, basis, max_level, now, until) -> Proxy:
    Proxy.objects.filter(patient_id=patient_id, proxy_id=proxy_id, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return Proxy.objects.create(
        patient_id=patient_id,
        proxy_id=proxy_id,
        permissions=mask,
        basis=basis,
        max_level=max_level,
        created_at=now,
        expires_at=until,
    )


def _names(mask: int) -> frozenset[str]:
    return frozenset(n for n, bit in PERMISSIONS.items() if mask & bit)


def revoke_proxy(actor: Actor, patient_id: int, proxy_row_id: int) -> bool:
    """End a proxy; effective on the next request. False when there is no such live proxy.

    The person ends proxies they chose; a mandate, a court decision or parental
    authority ends by law, not by a click: those are revoked by an operator
    (``Actor.operator`` with purpose operations) acting on the legal decision.
    """
    if actor.user_id is None:
        if actor.role != "operator":
            raise NotFound()
        decision = services.Permit(True, "operator acting on a legal decision")
        purpose, bases = Purpose.OPERATIONS, PROXY_BASES
    else:
        decision, purpose = services.authorize_consent(actor, patient_id, Action.REVOKE)
        bases = ("choice",)
    with transaction.atomic():
        row = Proxy.objects.filter(
            pk=proxy_row_id, patient_id=patient_id, revoked_at__isnull=True, basis__in=bases
        ).first()
        if row is None:
            return False
        Proxy.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        label = str(_citizen_or_none(row.proxy_id) or f"account {row.proxy_id}")
        services.record(actor, patient_id, Action.REVOKE, purpose, decision, what=f"proxy {label}")
        signals.send_on_commit(patient_id, "proxy_revoked", label)
    return True


def _citizen_or_none(user_id: int):
    return User.objects.filter(pk=user_id).first()


def _info(p: Proxy, users: dict, now) -> ProxyInfo:
    u = users.get(p.proxy_id)
    return ProxyInfo(
        id=p.pk,
        patient_id=p.patient_id,
        proxy_id=p.proxy_id,
        proxy=str(u) if u else "",
        permissions=_names(p.permissions),
        basis=p.basis,
        max_level=p.max_level,
        created_at=p.created_at,
        expires_at=p.expires_at,
        revoked_at=p.revoked_at,
        live=p.revoked_at is None and (p.expires_at is None or p.expires_at > now),
    )


def list_proxies(actor: Actor, patient_id: int, *, include_past: bool = False) -> list[ProxyInfo]:
    """The person's proxies, for the proxies page (the person or a manager only)."""
    purpose = services.person_side(actor, patient_id, Action.GRANT, what="proxies")
    services.require(actor, patient_id, Action.GRANT, purpose, audit_now=False, what="proxies")
    now = timezone.now()
    rows = list(Proxy.objects.filter(patient_id=patient_id).order_by("-created_at", "-id"))
    users = {u.pk: u for u in User.objects.filter(pk__in=[p.proxy_id for p in rows])}
    out = [_info(p, users, now) for p in rows]
    return out if include_past else [p for p in out if p.live]


def represented_by(user) -> list[ProxyInfo]:
    """The people a user may act for now (their live proxies), for "the spaces I manage"."""
    now = timezone.now()
    rows = [
        p
        for p in Proxy.objects.filter(proxy_id=user.pk, revoked_at__isnull=True)
        if p.expires_at is None or p.expires_at > now
    ]
    return [_info(p, {user.pk: user}, now) for p in rows]


# How long a proxy is told, on « Mes proches », that an access of theirs ended.
ENDED_SHOWN_DAYS = 90


@dataclass(frozen=True)
class EndedAccess:
    """An access a user had to someone's space, and how it ended: ``how`` is ``expired``
    (its end date came), ``person`` (the person took it back), ``other`` (someone who
    manages the person's record did, named ``by``) or ``law`` (a legal decision, entered by
    Carnet). ``name`` is the person's account name ("" for a child's record)."""

    patient_id: int
    name: str
    basis: str
    ended_at: datetime
    how: str
    by: str = ""


def ended_for(user, *, days: int = ENDED_SHOWN_DAYS) -> list[EndedAccess]:
    """The accesses ``user`` had that ended in the last ``days`` (and were not given again),
    newest first: what « Mes proches » tells a relative who can no longer act."""
    now = timezone.now()
    since = now - timedelta(days=days)
    rows = list(
        Proxy.objects.filter(proxy_id=user.pk)
        .order_by("-id")
        .only("patient_id", "basis", "expires_at", "revoked_at")
    )
    live = {p.patient_id for p in rows if _is_live(p, now)}
    out, seen = [], set()
    for p in rows:
        if p.patient_id in live or p.patient_id in seen:
            continue
        seen.add(p.patient_id)
        ended = min(m for m in (p.revoked_at, p.expires_at) if m is not None)
        if ended < since:
            continue
        how, by = "expired", ""
        if p.revoked_at is not None and (p.expires_at is None or p.revoked_at < p.expires_at):
            # Who took it back: the revocation's entry in the person's history (public columns).
            actor_id = (
                AuditEntry.objects.filter(
                    patient_id=p.patient_id,
                    action=Action.REVOKE,
                    decision="permit",
                    at__gte=p.revoked_at,
                    at__lt=p.revoked_at + timedelta(minutes=1),
                )
                .order_by("seq")
                .values_list("actor_id", flat=True)
                .first()
            )
            owner = (
                Patient.objects.filter(pk=p.patient_id).values_list("owner_id", flat=True).first()
            )
            if actor_id is None:
                how = "law"
            elif actor_id == owner:
                how = "person"
            else:
                how, by = "other", str(_citizen_or_none(actor_id) or "")
        name = "" if p.basis == "parent" else services._owner_label(p.patient_id)
        out.append(EndedAccess(p.patient_id, name, p.basis, ended, how, by))
    return sorted(out, key=lambda e: e.ended_at, reverse=True)


def ended_sentence(e: EndedAccess) -> str:
    """« Henri a mis fin à votre accès le 3 décembre 2026. », and the other ways it ends."""
    day = formats.date_format(timezone.localtime(e.ended_at), "DATE_FORMAT")
    if e.basis == "parent":
        if e.how == "expired":
            return _("Your child has turned 18: your access to their record ended on %(date)s.") % {
                "date": day
            }
        return _("Your access to your child's record ended on %(date)s.") % {"date": day}
    values = {"name": e.name, "date": day, "by": e.by}
    if e.how == "person":
        return _("%(name)s ended your access on %(date)s.") % values
    if e.how == "other" and e.by:
        return _("%(by)s ended your access to the space of %(name)s on %(date)s.") % values
    if e.how == "law":
        return (
            _("Your access to the space of %(name)s was ended on %(date)s, by a legal decision.")
            % values
        )
    if e.how == "expired":
        return (
            _("Your access to the space of %(name)s ended on %(date)s, the end date chosen.")
            % values
        )
    return _("Your access to the space of %(name)s ended on %(date)s.") % values


def no_longer_sentence() -> str:
    return _("You can no longer act for this person. Ask them to give you access again.")


def _is_live(p: Proxy, now) -> bool:
    return p.revoked_at is None and (p.expires_at is None or p.expires_at > now)


def acts_for_anyone(user) -> bool:
    """Whether ``user`` may act for someone now, or lost such an access lately (the menu
    shows « Mes proches » to them). One indexed query."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.CITIZEN:
        return False
    since = timezone.now() - timedelta(days=ENDED_SHOWN_DAYS)
    return (
        Proxy.objects.filter(proxy_id=user.pk)
        .filter(
            Q(revoked_at__isnull=True, expires_at__isnull=True)
            | Q(revoked_at__isnull=True, expires_at__gt=since)
            | Q(revoked_at__gt=since)
        )
        .exists()
    )


def holders(patient_id: int) -> list[tuple[int, str]]:
    """(account id, basis) of each unrevoked proxy on a record, oldest first (``reminders``
    then asks ``may`` whether each may still read it)."""
    return list(
        Proxy.objects.filter(patient_id=patient_id, revoked_at__isnull=True)
        .order_by("id")
        .values_list("proxy_id", "basis")
    )


def records_held(patient_ids):
    """Of these records (ids or a query of them), those someone holds an unrevoked proxy on,
    as a query of ids in order."""
    return (
        Proxy.objects.filter(revoked_at__isnull=True, patient_id__in=patient_ids)
        .values_list("patient_id", flat=True)
        .order_by("patient_id")
        .distinct()
    )


def ever_held(patient_id: int, proxy_id: int) -> bool:
    """Whether ``proxy_id`` was ever given a proxy on the record, even one revoked since."""
    return Proxy.objects.filter(patient_id=patient_id, proxy_id=proxy_id).exists()


def may(user, patient_id: int, permission: str) -> bool:
    """Whether ``user`` may now do ``permission`` (appointments, messages…) for the person.

    For other apps (care): the decision goes through ``decide``, without an audit entry;
    the caller records the action itself with ``services.record`` when it happens.
    """
    action = {"read": Action.READ, "appointments": Action.APPOINTMENTS}.get(
        permission, Action.MESSAGES if permission == "messages" else None
    )
    if action is None:
        return False
    actor = Actor.of_user(user)
    purpose = services.purpose_for(actor, patient_id)
    return (
        purpose in (Purpose.SELF, Purpose.PROXY)
        and services.decide(actor, patient_id, action, purpose).permit
    )


# --- Parents and minors ---------------------------------------------------------------------


def majority(birth_date: date) -> datetime:
    """The instant a person born on ``birth_date`` turns 18 (start of that day, server time)."""
    day = date(
        birth_date.year + 18,
        birth_date.month,
        28 if (birth_date.month, birth_date.day) == (2, 29) else birth_date.day,
    )
    return timezone.make_aware(datetime.combine(day, time.min))


def add_child(parent, birth_date: date):
    """A parent creates their minor child's record (no login of its own) and manages it.

    The parent becomes a ``parent`` proxy with every permission, every sensitivity
    level, ending at the child's 18th birthday. From 15 the child may keep chosen care
    confidential from parents (``masks.keep_from_parents``). Returns the new Patient.
    """
    ends = majority(birth_date)
    now = timezone.now()
    if not (years_before(ends, 18) <= now < ends):
        raise ProxyRefused("the child must be a minor born in the past")
    _citizen(parent.pk)
    with transaction.atomic():
        child = accounts.create_child_patient()
        proxy = _create(child.pk, parent.pk, sum(PERMISSIONS.values()), "parent", "V", now, ends)
        decision = services.Permit(True, "parent creating their minor child's record")
        services.record(
            Actor.of_user(parent),
            child.pk,
            Action.GRANT,
            Purpose.PROXY,
            decision,
            what=f"parent {parent}: record created",
        )
        signals.send_on_commit(child.pk, "proxy_created", str(parent))
    del proxy
    return child


def add_parent(actor: Actor, child_patient_id: int, other_parent_id: int) -> Proxy:
    """A parent who manages a minor's record adds the other parent, with the same authority."""
    decision, purpose = services.authorize_consent(actor, child_patient_id, Action.GRANT)
    current = (
        Proxy.objects.filter(
            patient_id=child_patient_id,
            proxy_id=actor.user_id,
            basis="parent",
            revoked_at__isnull=True,
        )
        .order_by("-id")
        .first()
    )
    if purpose != Purpose.PROXY or current is None:
        raise NotFound()
    who = _citizen(other_parent_id)
    with transaction.atomic():
        proxy = _create(
            child_patient_id,
            who.pk,
            current.permissions,
            "parent",
            "V",
            timezone.now(),
            current.expires_at,
        )
        services.record(
            actor, child_patient_id, Action.GRANT, purpose, decision, what=f"parent {who}"
        )
        signals.send_on_commit(child_patient_id, "proxy_created", str(who))
    return proxy
