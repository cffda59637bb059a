"""A minor of 15 or more: a login of their own on the record their parent created.

A parent creates their child's record (``proxies.add_child``): it has no login of its own.
From 15 the child may keep chosen care confidential from their parents
(``masks.keep_from_parents``, art. L1111-5 of the public health code), and to use that
right they need to sign in themselves. A parent who manages the record, or a
practitioner the record is shared with, invites them:

    invite(actor, patient_id, email)   -> the raw token of a one-time link (also emailed)
    invitation(token)                  -> the pending invitation, or NotFound
    accept(token, password, name)      -> the minor's new account, owner of the record

Accepting makes the new account the record's owner: the record keeps its id, so its
items, data key and access history stay as they were; the parents keep their parent
proxy (parental authority ends at 18, not with a login). Nothing is sent to the parents
when the minor accepts, marks an item, or reads it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from carnet.accounts import phones
from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, User

from . import services, signals
from .masks import minor_may_keep_confidential
from .models import MinorInvitation, Proxy
from .services import Action, Actor, NotFound, Permit, Purpose

log = logging.getLogger("carnet.access")

# How long the link works: long enough to open an email the next week-end.
LIFETIME = timedelta(days=7)
LINK_PREFIX = "ado_"


class InviteRefused(ValueError):
    """The invitation cannot be sent (the message says why, in the view's words)."""


def _digest(raw: str) -> str:
    return hashlib.sha256(f"carnet-minor-invitation|{raw}".encode()).hexdigest()


def _has_login(patient_id: int) -> bool:
    return Patient.objects.filter(pk=patient_id, owner__isnull=False).exists()


def may_invite(actor: Actor, patient_id: int) -> Permit | None:
    """The permit to invite the minor (decided, not audited), or None.

    A parent with a live parent proxy that manages the record, or a practitioner who may
    read the record for care; and only for a minor of 15 or more with no login yet.
    """
    if actor.user_id is None or _has_login(patient_id):
        return None
    if not minor_may_keep_confidential(patient_id):
        return None
    purpose = services.purpose_for(actor, patient_id)
    if purpose == Purpose.PROXY:
        decision = services.decide(actor, patient_id, Action.GRANT, purpose)
        parent = Proxy.objects.filter(
            patient_id=patient_id, proxy_id=actor.user_id, basis="parent", revoked_at__isnull=True
        ).exists()
        return decision if decision.permit and parent else None
    if purpose == Purpose.TREATMENT and actor.role == "practitioner":
        if services.decide(actor, patient_id, Action.READ, purpose).permit:
            return Permit(True, "practitioner inviting the minor to their own login")
    return None


def invite(actor: Actor, patient_id: int, email: str, phone: str = "") -> str:
    """Send the minor a one-time link to a login of their own; returns the raw token.

    The link goes to ``email`` (the address they will sign in with) and, when given, by
    SMS to ``phone`` too (``notify``'s SMS gateway). NotFound when ``actor`` may not (see
    ``may_invite``); InviteRefused when the address already signs in to Carnet or the
    phone number is not one. A new invitation cancels the previous one. Audited in the
    minor's history as access given, by the inviter.
    """
    try:
        phone = phones.normalise(phone) if phone else ""
    except phones.BadNumber:
        raise InviteRefused("phone") from None
    decision = may_invite(actor, patient_id)
    if decision is None:
        raise NotFound()
    email = (email or "").strip().lower()
    if not email or User.objects.filter(email=email).exists():
        raise InviteRefused("address taken")
    purpose = services.purpose_for(actor, patient_id)
    raw = LINK_PREFIX + secrets.token_urlsafe(24)
    now = timezone.now()
    with transaction.atomic():
        MinorInvitation.objects.filter(
            patient_id=patient_id, used_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        MinorInvitation.objects.create(
            patient_id=patient_id,
            digest=_digest(raw),
            email=email,
            invited_by=actor.user_id,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        services.record(
            actor,
            patient_id,
            Action.GRANT,
            purpose,
            decision,
            what=f"{email}: invitation to a login of their own",
        )
    signals.send_minor_invitation(email, phone, raw, LIFETIME.days)
    return raw


def invitation(token: str) -> MinorInvitation:
    """The invitation a link opens: pending, not expired, record still without a login."""
    raw = (token or "").strip()
    if not raw.startswith(LINK_PREFIX) or len(raw) > 100:
        raise NotFound()
    row = MinorInvitation.objects.filter(
        digest=_digest(raw), used_at__isnull=True, cancelled_at__isnull=True
    ).first()
    if row is None or row.expires_at <= timezone.now() or _has_login(row.patient_id):
        raise NotFound()
    return row


def accept(token: str, password: str, display_name: str = ""):
    """The minor sets their password: their account is created and owns the record.

    Works once (a conditional update on the invitation), before the link expires, while
    the minor is 15 to 17. NotFound otherwise; AddressTaken (accounts) when the address
    signed up meanwhile. Audited in the record's history as the person's own.
    """
    row = invitation(token)
    if not minor_may_keep_confidential(row.patient_id):
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        claimed = MinorInvitation.objects.filter(
            pk=row.pk, used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not claimed:
            raise NotFound()
        try:
            user = accounts.give_record_to_new_login(
                row.patient_id, row.email, password, display_name
            )
        except ValueError as exc:
            if isinstance(exc, accounts.AddressTaken):
                raise
            raise NotFound() from None
        services.record(
            Actor.of_user(user),
            row.patient_id,
            Action.GRANT,
            Purpose.SELF,
            Permit(True, "the person's own record"),
            what=f"{user.email}: own login created",
        )
    return user
