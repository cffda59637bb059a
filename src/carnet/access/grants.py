"""Sharing with practitioners: the médecin traitant and grants with a scope and a duration.

Every change is the person's (or their legal representative's), is audited in the same
transaction, and sends ``signals.access_event`` after commit. Decisions are never cached,
so a revocation takes effect on the practitioner's very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from carnet.accounts.models import Role, User
from carnet.care import directory

from . import labels as L
from . import services, signals
from .models import EmergencyAccess, Grant, Proxy
from .services import Action, Actor, NotFound

# The durations the sharing page offers; "consultation" is one day, long enough for one
# visit and the letters that follow it, short enough to be forgotten safely.
DURATIONS: dict[str, timedelta | None] = {
    "consultation": timedelta(hours=24),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
    "until_revoked": None,
}


class GrantRefused(ValueError):
    """The grant asked for cannot exist (unknown practitioner, category, level or duration)."""


@dataclass(frozen=True)
class GrantInfo:
    """One grant as the sharing page shows it."""

    id: int
    practitioner_id: int
    practitioner: str
    profession: str
    organisation: str
    kind: str
    categories: frozenset[str]
    max_level: str
    mode: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    live: bool


def _practitioner(user_id: int):
    user = User.objects.filter(pk=user_id, role=Role.PRACTITIONER, is_active=True).first()
    if user is None:
        raise GrantRefused("no such health professional")
    if not directory.is_verified(user):
        # Only professionals the national directory lists under this name and RPPS number.
        raise GrantRefused("not a health professional of the national directory")
    return user


def expiry(duration: str | timedelta | None, now: datetime) -> datetime | None:
    if isinstance(duration, timedelta):
        if duration <= timedelta(0):
            raise GrantRefused("a grant must last some time")
        return now + duration
    if duration not in DURATIONS:
        raise GrantRefused(f"unknown duration {duration!r}")
    d = DURATIONS[duration]
    return None if d is None else now + d


def share(
    actor: Actor,
    patient_id: int,
    practitioner_id: int,
    *,
    categories,
    max_level: str = "N",
    mode: str = "read",
    duration: str | timedelta = "consultation",
) -> Grant:
    """Give a practitioner access to some categories of the record, up to a sensitivity level.

    ``categories``: names from ``labels.CATEGORIES``; ``max_level``: ``N`` (nothing
    sensitive), ``R`` (sensitive categories too) or ``V``; ``mode``: ``read`` or
    ``write``; ``duration``: a key of ``DURATIONS`` or a timedelta. A new grant replaces
    the practitioner's previous live one. Raises GrantRefused, or NotFound when the actor
    may not manage this record.
    """
    mask = _checked_mask(categories, max_level, mode)
    decision, purpose = services.authorize_consent(actor, patient_id, Action.GRANT)
    who = _practitioner(practitioner_id)
    return _replace_grant(
        actor,
        patient_id,
        (who.pk, "care", str(who)),
        (mask, max_level, mode, duration),
        decision,
        purpose,
    )


def _checked_mask(categories, max_level: str, mode: str) -> int:
    """The categories' bit mask, once the categories, level and mode are known ones."""
    try:
        mask = L.categories_mask(categories)
    except (KeyError, ValueError):
        raise GrantRefused("unknown category") from None
    if not mask:
        raise GrantRefused("choose at least one kind of item")
    if max_level not in L.LEVELS or mode not in ("read", "write"):
        raise GrantRefused("unknown level or mode")
    return mask


def _replace_grant(
    actor, patient_id: int, grantee: tuple, scope: tuple, decision, purpose
) -> Grant:
    """End the grantee's live grant of this kind and write the new one, in the history too.

    ``grantee``: (grantee_id, kind, the name the history shows); ``scope``: (mask,
    max_level, mode, duration)."""
    grantee_id, kind, label = grantee
    mask, max_level, mode, duration = scope
    now = timezone.now()
    expires = expiry(duration, now)
    with transaction.atomic():
        Grant.objects.filter(
            patient_id=patient_id, grantee_id=grantee_id, kind=kind, revoked_at__isnull=True
        ).update(revoked_at=now)
        grant = Grant.objects.create(
            patient_id=patient_id,
            grantee_id=grantee_id,
            kind=kind,
            categories=mask,
            max_level=max_level,
            mode=mode,
            created_at=now,
            expires_at=expires,
        )
        services.record(
            actor,
            patient_id,
            Action.GRANT,
            purpose,
            decision,
            what=f"{label}: {', '.join(sorted(L.categories_of_mask(mask)))}; "
            f"level {max_level}; {mode}; until {expires.isoformat() if expires else 'revoked'}",
        )
        signals.send_on_commit(patient_id, "grant_created", label)
    return grant


def set_referent(actor: Actor, patient_id: int, practitioner_id: int) -> Grant:
    """Name the person's médecin traitant (replacing the previous one).

    The referent sees the whole record, every category and level, and may write, except
    the items the person masks as ``self`` (only me).
    """
    decision, purpose = services.authorize_consent(actor, patient_id, Action.GRANT)
    who = _practitioner(practitioner_id)
    now = timezone.now()
    with transaction.atomic():
        Grant.objects.filter(
            patient_id=patient_id, kind="referent", revoked_at__isnull=True
        ).update(revoked_at=now)
        grant = Grant.objects.create(
            patient_id=patient_id,
            grantee_id=who.pk,
            kind="referent",
            categories=L.ALL_CATEGORIES_MASK,
            max_level="V",
            mode="write",
            created_at=now,
        )
        services.record(
            actor, patient_id, Action.GRANT, purpose, decision, what=f"{who}: médecin traitant"
        )
        signals.send_on_commit(patient_id, "grant_created", str(who))
    return grant


# --- Apps the person connects (carnet.smart registers the two hooks below) ------------------

# Names of apps for the sharing page: {catalogue id: (name, publisher)} for the ids asked.
app_names: Callable[[list[int]], dict[int, tuple[str, str]]] = lambda ids: {}  # noqa: E731
# Called inside the transaction that ends an app's grant, with (patient id, catalogue id):
# the app's tokens go with it.
app_grant_ended: list[Callable[[int, int], None]] = []


def _app_label(grantee_id: int) -> str:
    name, _publisher = app_names([-grantee_id]).get(-grantee_id, ("", ""))
    return name or f"app {-grantee_id}"


def _ended(grant: Grant) -> None:
    if grant.kind == "app":
        for hook in app_grant_ended:
            hook(grant.patient_id, -grant.grantee_id)


def connect_app(
    actor: Actor,
    patient_id: int,
    app_id: int,
    *,
    categories,
    max_level: str = "N",
    mode: str = "read",
    duration: str | timedelta = "month",
) -> Grant:
    """The person lets an app of the catalogue read some kinds of items of their record.

    The app is then an actor of its own (``Actor.of_app``) that the policy decides for like
    a practitioner with a grant: these kinds, up to ``max_level``, never an item masked to
    the médecin traitant or to the person alone. Replaces the app's previous live grant.
    """
    mask = _checked_mask(categories, max_level, mode)
    decision, purpose = services.authorize_consent(actor, patient_id, Action.GRANT)
    return _replace_grant(
        actor,
        patient_id,
        (-app_id, "app", _app_label(-app_id)),
        (mask, max_level, mode, duration),
        decision,
        purpose,
    )


def disconnect_app(actor: Actor, patient_id: int, app_id: int) -> bool:
    """End an app's access to the record (and its tokens). False if it had none live."""
    live = Grant.objects.filter(
        patient_id=patient_id, grantee_id=-app_id, kind="app", revoked_at__isnull=True
    ).first()
    return revoke(actor, patient_id, live.pk) if live is not None else False


def app_grant(patient_id: int, app_id: int) -> GrantInfo | None:
    """The app's live grant on the record, or None (ended, expired or never given)."""
    now = timezone.now()
    g = (
        Grant.objects.filter(
            patient_id=patient_id, grantee_id=-app_id, kind="app", revoked_at__isnull=True
        )
        .exclude(expires_at__lte=now)
        .order_by("-id")
        .first()
    )
    return None if g is None else _info(g, None, now)


def connected_apps(patient_id: int) -> dict[int, GrantInfo]:
    """{catalogue id: live grant} of the apps connected to a record (« Mes applications »)."""
    now = timezone.now()
    rows = (
        Grant.objects.filter(patient_id=patient_id, kind="app", revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .order_by("id")
    )
    return {-g.grantee_id: _info(g, None, now) for g in rows}


def _info(g: Grant, u, now: datetime) -> GrantInfo:
    name = str(u) if u else ""
    organisation = getattr(u, "organisation", "")
    if g.kind == "app":
        name, organisation = app_names([-g.grantee_id]).get(-g.grantee_id, ("", ""))
    return GrantInfo(
        id=g.pk,
        practitioner_id=g.grantee_id,
        practitioner=name,
        profession=getattr(u, "profession", ""),
        organisation=organisation,
        kind=g.kind,
        categories=L.categories_of_mask(g.categories),
        max_level=g.max_level,
        mode=g.mode,
        created_at=g.created_at,
        expires_at=g.expires_at,
        revoked_at=g.revoked_at,
        live=g.revoked_at is None and (g.expires_at is None or g.expires_at > now),
    )


def revoke(actor: Actor, patient_id: int, grant_id: int) -> bool:
    """Withdraw one grant (or the referent); effective on the next request. False if none live."""
    decision, purpose = services.authorize_consent(actor, patient_id, Action.REVOKE)
    with transaction.atomic():
        grant = Grant.objects.filter(
            pk=grant_id, patient_id=patient_id, revoked_at__isnull=True
        ).first()
        if grant is None:
            return False
        Grant.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
        _ended(grant)
        label = practitioner_label(grant.grantee_id)
        services.record(
            actor, patient_id, Action.REVOKE, purpose, decision, what=f"{label}: {grant.kind}"
        )
        signals.send_on_commit(patient_id, "grant_revoked", label)
    return True


def revoke_all(actor: Actor, patient_id: int) -> int:
    """Withdraw every practitioner's access at once: grants, the referent, emergencies.

    Proxies chosen by the person end too; legal representatives (parents, court,
    mandate) do not, since the person alone cannot end them. Returns how many ended.
    """
    decision, purpose = services.authorize_consent(actor, patient_id, Action.REVOKE)
    now = timezone.now()
    with transaction.atomic():
        for grant in Grant.objects.filter(
            patient_id=patient_id, kind="app", revoked_at__isnull=True
        ):
            _ended(grant)
        n = Grant.objects.filter(patient_id=patient_id, revoked_at__isnull=True).update(
            revoked_at=now
        )
        n += EmergencyAccess.objects.filter(
            patient_id=patient_id, ended_at__isnull=True, expires_at__gt=now
        ).update(ended_at=now)
        n += Proxy.objects.filter(
            patient_id=patient_id, basis="choice", revoked_at__isnull=True
        ).update(revoked_at=now)
        services.record(
            actor, patient_id, Action.REVOKE, purpose, decision, count=n, what="everyone"
        )
        signals.send_on_commit(patient_id, "grant_revoked", actor.label)
    return n


def practitioner_label(user_id: int) -> str:
    if user_id < 0:  # an app's grant
        return _app_label(user_id)
    user = User.objects.filter(pk=user_id).first()
    return str(user) if user else f"account {user_id}"


def list_grants(actor: Actor, patient_id: int, *, include_past: bool = False) -> list[GrantInfo]:
    """The person's grants, newest first, for the sharing page (the person or a manager only)."""
    decision = services.decide(
        actor, patient_id, Action.GRANT, services.purpose_for(actor, patient_id)
    )
    if not decision.permit or services.purpose_for(actor, patient_id) not in ("self", "proxy"):
        raise NotFound()
    now = timezone.now()
    rows = Grant.objects.filter(patient_id=patient_id).order_by("-created_at", "-id")
    if not include_past:
        rows = rows.filter(revoked_at__isnull=True)
    rows = list(rows)
    users = {u.pk: u for u in User.objects.filter(pk__in=[g.grantee_id for g in rows])}
    out = []
    for g in rows:
        info = _info(g, users.get(g.grantee_id), now)
        if not include_past and not info.live:
            continue
        out.append(info)
    return out


def patients_shared_with(practitioner_id: int) -> list[int]:
    """Records a practitioner has a live grant on (for their list of patients)."""
    now = timezone.now()
    return sorted(
        set(
            Grant.objects.filter(grantee_id=practitioner_id, revoked_at__isnull=True)
            .exclude(expires_at__lte=now)
            .exclude(kind="app")
            .values_list("patient_id", flat=True)
        )
    )


def live_grantees(patient_id: int) -> list[tuple[int, str]]:
    """(practitioner id, kind) of each live grant on a record, for its care team (``care``)."""
    now = timezone.now()
    return list(
        Grant.objects.filter(patient_id=patient_id, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .exclude(kind="app")
        .values_list("grantee_id", "kind")
    )


def ever_granted(
    patient_id: int, *, kind: str | None = None, grantee_id: int | None = None
) -> bool:
    """Whether a grant (of ``kind``, to ``grantee_id``) was ever made on the record, even one
    revoked since (the demo names a médecin traitant or shares only once)."""
    rows = Grant.objects.filter(patient_id=patient_id)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if grantee_id is not None:
        rows = rows.filter(grantee_id=grantee_id)
    return rows.exists()
