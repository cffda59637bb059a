"""Emergency access (bris de glace) and the emergency card.

A practitioner with no grant states a reason and gets, for a few hours, the emergency
dataset (allergies, active problems, current treatments, blood group, advance
directives, the Patient resource with emergency contacts) plus the items the person did
not mask — unless the person refused emergency access in advance. Every emergency
access, and every read during it, is flagged in the person's history for review, and
the person is told at once (``access_event`` "emergency", urgent).

The emergency card carries a random token (only its SHA-256 is stored): with a logged-in
practitioner it opens the same emergency access without knowing who the person is.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from carnet.accounts.models import Patient, User
from carnet.vault import sealed

from . import services, signals
from .models import EmergencyAccess, EmergencySettings
from .services import Action, Actor, NotFound, Permit, Purpose

DURATION = timedelta(hours=4)
CARD_PREFIX = "carnet-card_"
MAX_REASON = 500


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _refused(patient_id: int) -> bool:
    return EmergencySettings.objects.filter(patient_id=patient_id, refuse=True).exists()


def _open(actor: Actor, patient_id: int, reason: str, via: str) -> EmergencyAccess:
    reason = (reason or "").strip()[:MAX_REASON]
    exists = _patient_exists(patient_id)
    if actor.role != "practitioner" or actor.user_id is None or not reason or not exists:
        denial = Permit(False, "emergency access needs a health professional and a reason")
        if exists:
            services.record(
                actor, patient_id, Action.BREAK_GLASS, Purpose.EMERGENCY, denial, what=via
            )
        raise NotFound()
    if _refused(patient_id):
        denial = Permit(False, "the person refused emergency access in advance")
        services.record(actor, patient_id, Action.BREAK_GLASS, Purpose.EMERGENCY, denial, what=via)
        raise NotFound()
    now = timezone.now()
    permit = Permit(
        True,
        "emergency access (break the glass)",
        ("flag-for-review",),
        actor=actor,
        patient_id=patient_id,
        purpose=Purpose.EMERGENCY,
        action=Action.BREAK_GLASS,
    )
    with transaction.atomic():
        live = (
            EmergencyAccess.objects.select_for_update()
            .filter(
                patient_id=patient_id,
                practitioner_id=actor.user_id,
                ended_at__isnull=True,
                expires_at__gt=now,
            )
            .first()
        )
        if live is not None:
            # Asking again while a session runs does not lengthen it nor tell the person
            # twice; the request is still recorded (and flagged).
            services.record(
                actor,
                patient_id,
                Action.BREAK_GLASS,
                Purpose.EMERGENCY,
                permit,
                what=f"{via} (already open)",
                reason=reason,
            )
            return live
        session = EmergencyAccess.objects.create(
            patient_id=patient_id,
            practitioner_id=actor.user_id,
            via=via,
            reason=b"",
            started_at=now,
            expires_at=now + DURATION,
        )
        session.reason = sealed.seal(permit, reason, f"emergency/{session.pk}")
        session.save(update_fields=["reason"])
        services.record(
            actor,
            patient_id,
            Action.BREAK_GLASS,
            Purpose.EMERGENCY,
            permit,
            what=via,
            reason=reason,
        )
        signals.send_on_commit(patient_id, "emergency", actor.label, urgent=True)
    return session


def _patient_exists(patient_id: int) -> bool:
    return Patient.objects.filter(pk=patient_id).exists()


def break_glass(actor: Actor, patient_id: int, reason: str) -> EmergencyAccess:
    """Open emergency access to a record for ``DURATION``, stating a reason.

    Raises NotFound (after auditing the deny) when the actor is not a practitioner, the
    reason is empty, or the person refused emergency access. While a session runs,
    reads use purpose ``emergency`` (``services.purpose_for`` picks it).
    """
    return _open(actor, patient_id, reason, "declared")


def open_with_card(actor: Actor, card_token: str, reason: str = "") -> int:
    """Open emergency access with the token of a person's emergency card; returns the patient id.

    The practitioner must be logged in; the token alone opens nothing. An unknown or
    reset token is NotFound (there is no one's history to write it to).
    """
    raw = (card_token or "").strip()
    if not raw.startswith(CARD_PREFIX) or len(raw) > 100:
        raise NotFound()
    row = EmergencySettings.objects.filter(card_digest=_digest(raw)).first()
    if row is None:
        raise NotFound()
    _open(actor, row.patient_id, reason or "emergency card", "card")
    return row.patient_id


def end(actor: Actor, patient_id: int) -> bool:
    """The practitioner closes their emergency access before it expires."""
    n = EmergencyAccess.objects.filter(
        patient_id=patient_id,
        practitioner_id=actor.user_id,
        ended_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(ended_at=timezone.now())
    return bool(n)


def _settings(patient_id: int) -> EmergencySettings:
    row, _ = EmergencySettings.objects.get_or_create(patient_id=patient_id)
    return row


def set_refusal(actor: Actor, patient_id: int, refuse: bool) -> None:
    """The person refuses (or accepts again) emergency access in advance.

    Refusing also ends any emergency access in progress: it is effective at once.
    """
    decision, purpose = services.authorize_consent(actor, patient_id, Action.SETTINGS)
    with transaction.atomic():
        row = _settings(patient_id)
        row.refuse = bool(refuse)
        row.save()
        if refuse:
            EmergencyAccess.objects.filter(patient_id=patient_id, ended_at__isnull=True).update(
                ended_at=timezone.now()
            )
        services.record(
            actor,
            patient_id,
            Action.SETTINGS,
            purpose,
            decision,
            what="emergency access refused" if refuse else "emergency access accepted",
        )
        signals.send_on_commit(patient_id, "emergency_refusal_changed", actor.label)


def reset_card(actor: Actor, patient_id: int) -> str:
    """A new emergency card token (to print as a QR code); the previous card stops working.

    The raw token is returned once and never stored.
    """
    decision, purpose = services.authorize_consent(actor, patient_id, Action.SETTINGS)
    raw = CARD_PREFIX + secrets.token_urlsafe(24)
    with transaction.atomic():
        row = _settings(patient_id)
        row.card_digest = _digest(raw)
        row.card_hint = raw[len(CARD_PREFIX) : len(CARD_PREFIX) + 4]
        row.card_created_at = timezone.now()
        row.save()
        services.record(
            actor, patient_id, Action.SETTINGS, purpose, decision, what="emergency card reset"
        )
        signals.send_on_commit(patient_id, "card_reset", actor.label)
    return raw


def settings_of(actor: Actor, patient_id: int) -> dict:
    """The person's emergency settings for the emergency page: refusal and card state."""
    purpose = services.person_side(actor, patient_id, Action.SETTINGS, what="emergency settings")
    services.require(
        actor, patient_id, Action.SETTINGS, purpose, audit_now=False, what="emergency settings"
    )
    row = EmergencySettings.objects.filter(patient_id=patient_id).first()
    return {
        "refuse": bool(row and row.refuse),
        "card_hint": (row.card_hint if row and row.card_digest else ""),
        "card_created_at": row.card_created_at if row else None,
    }


def sessions(actor: Actor, patient_id: int) -> list[dict]:
    """Emergency accesses to the record, newest first, with their reasons (for review)."""
    purpose = services.person_side(actor, patient_id, Action.SETTINGS, what="emergency accesses")
    permit = services.require(
        actor, patient_id, Action.SETTINGS, purpose, audit_now=False, what="emergency accesses"
    )
    rows = list(EmergencyAccess.objects.filter(patient_id=patient_id).order_by("-started_at"))
    users = {u.pk: u for u in User.objects.filter(pk__in=[r.practitioner_id for r in rows])}
    c = sealed.cipher(permit)
    now = timezone.now()
    return [
        {
            "id": r.pk,
            "practitioner": str(users.get(r.practitioner_id, "")),
            "via": r.via,
            "reason": c.decrypt(bytes(r.reason), f"emergency/{r.pk}").decode() if r.reason else "",
            "started_at": r.started_at,
            "expires_at": r.expires_at,
            "ended_at": r.ended_at,
            "live": r.ended_at is None and r.expires_at > now,
        }
        for r in rows
    ]
