"""Access on request: a practitioner asks, the person answers (in the app or by SMS).

A practitioner never searches for patients. They type what the person gave them — the
person's email address or a short *share code* the person made in Carnet — with a reason
and what they would like to see. Whatever they type, they get the same answer and the
same row in their list: "waiting" until the person accepts (then "accepted") or the
answer deadline passes (then "closed"). A refusal is never shown as such, and a request
to someone who does not use Carnet looks exactly like one the person ignores, so nothing
tells a practitioner whether a person exists.

The person is told in the app, by email and by SMS (``notify``, event ``access_request``
with the short reply code), sees who asks (name, RPPS number, profession, organisation),
why, and for what, and accepts or refuses with one tap — or by answering the SMS with
``OUI 4821`` / ``NON 4821``. A request is answered once: the answer is a conditional
update from ``pending`` that also checks the deadline, so an expired request cannot be
accepted and an answer (or an SMS) cannot be replayed. Accepting creates an ordinary
grant (``grants.share``) for the duration asked, which then expires on its own.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, User
from carnet.care import directory
from carnet.vault import sealed

from . import audit, grants, services, signals
from . import labels as L
from .models import REQUEST_DURATIONS, AccessRequest, Grant, ShareCode
from .services import Action, Actor, NotFound, Permit, Purpose

log = logging.getLogger("carnet.access")

# How long the person has to answer, and how long a share code can be used.
ANSWER_WITHIN = timedelta(days=2)
SHARE_CODE_LIFETIME = timedelta(days=7)
# Requests a practitioner may send in a day: enough for a busy practice, too few to
# bother many people with requests they did not expect.
MAX_REQUESTS_PER_DAY = 20
MAX_REASON = 500
# Share codes: no 0/O, 1/I/L, so that a code read aloud or copied by hand stays right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class RequestRefused(ValueError):
    """The request cannot be sent as it is (the message says what to change)."""


class RequestClosed(ValueError):
    """The request was already answered, withdrawn, or its deadline has passed."""


@dataclass(frozen=True)
class RequestInfo:
    """A pending request as the person sees it."""

    id: int
    practitioner_id: int
    practitioner: str
    rpps: str
    profession: str
    organisation: str
    reason: str
    categories: frozenset[str]
    max_level: str
    mode: str
    duration: str
    reply_code: str
    created_at: datetime
    expires_at: datetime
    existing: Existing | None = None  # what the practitioner already sees, if anything


@dataclass(frozen=True)
class Existing:
    """The access a practitioner already has to the record, shown beside their request."""

    grant_id: int
    referent: bool  # their médecin traitant: they already see the whole record
    categories: frozenset[str]
    max_level: str
    mode: str
    expires_at: datetime | None


# How an accepted request meets the access the practitioner already has.
WIDEN, REPLACE, KEEP = "widen", "replace", "keep"
HOW = (WIDEN, REPLACE, KEEP)


@dataclass(frozen=True)
class SentRequest:
    """A request as the practitioner who sent it sees it: nothing about the person."""

    id: int
    target_hint: str
    categories: frozenset[str]
    duration: str
    created_at: datetime
    expires_at: datetime
    state: str  # waiting | accepted | closed | withdrawn


# --- share codes ---------------------------------------------------------------------------


def _code_digest(code: str) -> str:
    return hashlib.sha256(f"carnet-share-code|{code}".encode()).hexdigest()


def normalise_code(value: str) -> str:
    """What a person may type for a code ("k7p4 m2qx", "K7P4-M2QX") as stored: "K7P4M2QX"."""
    return "".join(c for c in (value or "").upper() if c.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def create_share_code(actor: Actor, patient_id: int) -> tuple[str, datetime]:
    """Make the person's share code (replacing the previous one); returns it and its end.

    Only the person (or whoever manages their record) may; the raw code is returned once.
    """
    decision, purpose = services.authorize_consent(actor, patient_id, Action.GRANT)
    now = timezone.now()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + SHARE_CODE_LIFETIME
    with transaction.atomic():
        ShareCode.objects.update_or_create(
            patient_id=patient_id,
            defaults={
                "digest": _code_digest(code),
                "hint": code[-2:],
                "created_at": now,
                "expires_at": expires,
            },
        )
        services.record(actor, patient_id, Action.GRANT, purpose, decision, what="share code")
    return format_code(code), expires


def delete_share_code(actor: Actor, patient_id: int) -> bool:
    decision, purpose = services.authorize_consent(actor, patient_id, Action.REVOKE)
    with transaction.atomic():
        n, _ = ShareCode.objects.filter(patient_id=patient_id).delete()
        if n:
            services.record(actor, patient_id, Action.REVOKE, purpose, decision, what="share code")
    return bool(n)


def share_code_of(patient_id: int) -> ShareCode | None:
    """The person's live share code row (hint and end only), for the sharing page."""
    return ShareCode.objects.filter(patient_id=patient_id, expires_at__gt=timezone.now()).first()


# --- asking ---------------------------------------------------------------------------------


def _target(value: str) -> tuple[str, str, str]:
    """(kind, normalised value, hint) of what the practitioner typed; RequestRefused if neither."""
    value = (value or "").strip()
    if "@" in value:
        email = value.lower()
        local, _, domain = email.rpartition("@")
        if not local or "." not in domain or len(email) > 254 or " " in email:
            raise RequestRefused("email")
        return "email", email, f"{local[0]}…@{domain}"[:80]
    code = normalise_code(value)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise RequestRefused("target")
    return "code", code, f"{code[:4]}-…"


def _find_patient(kind: str, value: str) -> int | None:
    if kind == "email":
        patient = accounts.patient_for_email(value)
        owner = patient.owner if patient else None
        if owner is None or not owner.is_active or owner.role != "citizen":
            return None
        return patient.pk
    row = ShareCode.objects.filter(
        digest=_code_digest(value), expires_at__gt=timezone.now()
    ).first()
    return row.patient_id if row else None


def _new_reply_code(patient_id: int) -> str:
    taken = set(
        AccessRequest.objects.filter(patient_id=patient_id, status="pending").values_list(
            "reply_code", flat=True
        )
    )
    for _ in range(50):
        code = f"{secrets.randbelow(9000) + 1000}"
        if code not in taken:
            return code
    raise RequestRefused("busy")


def ask(
    actor: Actor,
    *,
    target: str,
    reason: str,
    categories,
    max_level: str = "N",
    mode: str = "read",
    duration: str = "month",
) -> AccessRequest:
    """A practitioner asks for access to the record of whoever ``target`` names.

    ``target``: the person's email address or their share code. The same thing happens
    whether or not it names anyone, apart from telling the person. Asking again for the
    same target while a request waits returns that request and tells nobody twice.
    RequestRefused (with a short key: ``practitioner``, ``reason``, ``email``,
    ``target``, ``scope``, ``too_many``) when the request itself is malformed.
    """
    if actor.role != "practitioner" or actor.user_id is None:
        raise RequestRefused("practitioner")
    asker = User.objects.filter(pk=actor.user_id, is_active=True).first()
    if asker is None or not directory.is_verified(asker):
        raise RequestRefused("practitioner")  # not listed in the national directory
    reason = (reason or "").strip()
    if not reason:
        raise RequestRefused("reason")
    reason = reason[:MAX_REASON]
    try:
        mask = L.categories_mask(categories)
    except (KeyError, ValueError):
        raise RequestRefused("scope") from None
    if not mask or max_level not in L.LEVELS or mode not in ("read", "write"):
        raise RequestRefused("scope")
    if duration not in REQUEST_DURATIONS:
        raise RequestRefused("scope")
    kind, value, hint = _target(target)
    digest = salted_hmac("carnet.access.requests", f"{kind}:{value}", algorithm="sha256")
    digest = digest.hexdigest()
    now = timezone.now()
    waiting = AccessRequest.objects.filter(
        practitioner_id=actor.user_id,
        target_digest=digest,
        status__in=("pending", "refused"),
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if waiting is not None:
        return waiting  # same answer, no second message: asking again is not a lever
    recent = AccessRequest.objects.filter(
        practitioner_id=actor.user_id, created_at__gt=now - timedelta(days=1)
    ).count()
    if recent >= MAX_REQUESTS_PER_DAY:
        raise RequestRefused("too_many")
    patient_id = _find_patient(kind, value)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                req = AccessRequest.objects.create(
                    practitioner_id=actor.user_id,
                    patient_id=patient_id,
                    target_digest=digest,
                    target_hint=hint,
                    categories=mask,
                    max_level=max_level,
                    mode=mode,
                    duration=duration,
                    reply_code=_new_reply_code(patient_id) if patient_id else "",
                    created_at=now,
                    expires_at=now + ANSWER_WITHIN,
                )
                if patient_id is not None:
                    req.reason = sealed.seal(
                        audit.own_permit(patient_id, "a request to the person"),
                        reason,
                        f"request/{req.pk}",
                    )
                    req.save(update_fields=["reason"])
                    transaction.on_commit(lambda r=req: _tell_person(r))
            return req
        except IntegrityError:
            continue  # two requests drew the same reply code at once: draw again
    raise RequestRefused("busy")


def _tell_person(req: AccessRequest) -> None:
    # notify listens (``signals.access_request``): access does not import notify, which
    # imports access to route the person's SMS answers back here (``answer_yes``/``answer_no``).
    signals.send_access_request(req.patient_id, req.pk, req.reply_code)


def withdraw(actor: Actor, request_id: int) -> bool:
    """The practitioner takes back one of their requests (not one already accepted)."""
    now = timezone.now()
    with transaction.atomic():
        n = (
            AccessRequest.objects.filter(
                pk=request_id, practitioner_id=actor.user_id, withdrawn_at__isnull=True
            )
            .exclude(status="approved")
            .update(withdrawn_at=now)
        )
        AccessRequest.objects.filter(
            pk=request_id, practitioner_id=actor.user_id, status="pending"
        ).update(status="cancelled")
    return bool(n)


def sent_by(actor: Actor, limit: int = 50) -> list[SentRequest]:
    """A practitioner's requests, newest first, with the only states they may know."""
    now = timezone.now()
    out = []
    for r in AccessRequest.objects.filter(practitioner_id=actor.user_id).order_by(
        "-created_at", "-id"
    )[:limit]:
        if r.withdrawn_at is not None:
            state = "withdrawn"
        elif r.status == "approved":
            state = "accepted"
        elif r.expires_at > now:
            state = "waiting"  # pending, refused, or nobody: the same until the deadline
        else:
            state = "closed"
        out.append(
            SentRequest(
                id=r.pk,
                target_hint=r.target_hint,
                categories=L.categories_of_mask(r.categories),
                duration=r.duration,
                created_at=r.created_at,
                expires_at=r.expires_at,
                state=state,
            )
        )
    return out


@dataclass(frozen=True)
class SharedRecord:
    """A record shared with a practitioner, as their list of patients shows it."""

    patient_id: int
    name: str
    referent: bool
    categories: frozenset[str]
    mode: str
    expires_at: datetime | None


def shared_with(actor: Actor) -> list[SharedRecord]:
    """The records a practitioner has live access to (the referent role first)."""
    if actor.role != "practitioner" or actor.user_id is None:
        return []
    now = timezone.now()
    live = (
        Grant.objects.filter(grantee_id=actor.user_id, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .order_by("-created_at", "-id")
    )
    best: dict[int, Grant] = {}
    for g in live:
        if g.patient_id not in best or (
            g.kind == "referent" and best[g.patient_id].kind != "referent"
        ):
            best[g.patient_id] = g
    names = dict(Patient.objects.filter(pk__in=list(best)).values_list("pk", "owner__display_name"))
    out = [
        SharedRecord(
            patient_id=pid,
            name=names.get(pid) or "",
            referent=g.kind == "referent",
            categories=L.categories_of_mask(g.categories),
            mode=g.mode,
            expires_at=g.expires_at,
        )
        for pid, g in best.items()
    ]
    return sorted(out, key=lambda s: (not s.referent, s.name.lower()))


# --- answering ------------------------------------------------------------------------------


def _may_manage(actor: Actor, patient_id: int) -> Permit:
    purpose = services.person_side(actor, patient_id, Action.GRANT, what="access requests")
    return services.require(
        actor, patient_id, Action.GRANT, purpose, audit_now=False, what="access requests"
    )


def pending_for(actor: Actor, patient_id: int) -> list[RequestInfo]:
    """Requests waiting for the person's answer, newest first (the person or a manager)."""
    permit = _may_manage(actor, patient_id)
    now = timezone.now()
    rows = list(
        AccessRequest.objects.filter(
            patient_id=patient_id, status="pending", expires_at__gt=now
        ).order_by("-created_at", "-id")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=[r.practitioner_id for r in rows])}
    c = sealed.cipher(permit) if rows else None
    out = []
    for r in rows:
        u = users.get(r.practitioner_id)
        if u is None or not u.is_active:
            continue
        reason = c.decrypt(bytes(r.reason), f"request/{r.pk}").decode() if r.reason else ""
        out.append(
            RequestInfo(
                id=r.pk,
                practitioner_id=u.pk,
                practitioner=str(u),
                rpps=u.rpps,
                profession=u.profession,
                organisation=u.organisation,
                reason=reason,
                categories=L.categories_of_mask(r.categories),
                max_level=r.max_level,
                mode=r.mode,
                duration=r.duration,
                reply_code=r.reply_code,
                created_at=r.created_at,
                expires_at=r.expires_at,
                existing=existing_access(patient_id, u.pk, now),
            )
        )
    return out


def existing_access(patient_id: int, practitioner_id: int, now=None) -> Existing | None:
    """The practitioner's live access to the record (the médecin traitant role first)."""
    now = now or timezone.now()
    live = [
        g
        for g in Grant.objects.filter(
            patient_id=patient_id, grantee_id=practitioner_id, revoked_at__isnull=True
        ).order_by("-id")
        if g.expires_at is None or g.expires_at > now
    ]
    if not live:
        return None
    g = next((g for g in live if g.kind == "referent"), live[0])
    return Existing(
        grant_id=g.pk,
        referent=g.kind == "referent",
        categories=L.categories_of_mask(g.categories),
        max_level=g.max_level,
        mode=g.mode,
        expires_at=g.expires_at,
    )


def _widened(existing: Existing, categories, max_level: str, mode: str, expires, now) -> dict:
    """The union of what they have and what is accepted: nothing they had is lost."""
    ends = [existing.expires_at, expires]
    later = None if None in ends else max(ends)
    return {
        "categories": sorted(existing.categories | set(categories)),
        "max_level": max(existing.max_level, max_level, key=L.LEVELS.index),
        "mode": "write" if "write" in (existing.mode, mode) else "read",
        "duration": "until_revoked" if later is None else later - now,
    }


def get_pending(actor: Actor, patient_id: int, request_id: int) -> RequestInfo:
    for info in pending_for(actor, patient_id):
        if info.id == request_id:
            return info
    raise RequestClosed("no such pending request")


def _claim(patient_id: int, request_id: int, status: str) -> AccessRequest:
    """Move one pending, unexpired request to ``status``; RequestClosed if it is not one."""
    now = timezone.now()
    n = AccessRequest.objects.filter(
        pk=request_id,
        patient_id=patient_id,
        status="pending",
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).update(status=status, decided_at=now)
    if n != 1:
        raise RequestClosed("already answered, withdrawn or expired")
    return AccessRequest.objects.get(pk=request_id)


def approve(
    actor: Actor,
    patient_id: int,
    request_id: int,
    *,
    categories=None,
    max_level: str | None = None,
    mode: str | None = None,
    duration: str | None = None,
    how: str = WIDEN,
) -> Grant:
    """Accept a request: a grant for what was asked, or for what the person chose instead.

    The person may change the scope, the level, the mode and the duration. When the
    practitioner already has access, accepting never narrows it silently: ``how`` says
    whether the accepted scope is added to it (``widen``, the default, also for an SMS
    « OUI »), replaces it (``replace``) or leaves it as it is (``keep``). A médecin
    traitant already sees everything: their access is kept. Returns the grant in force.
    RequestClosed when the request was already answered, withdrawn or is past its
    deadline (nothing changes); NotFound when the actor may not manage this record.
    """
    if how not in HOW:
        raise ValueError(f"unknown way to accept {how!r}")
    _may_manage(actor, patient_id)
    with transaction.atomic():
        req = _claim(patient_id, request_id, "approved")
        now = timezone.now()
        existing = existing_access(patient_id, req.practitioner_id, now)
        scope = {
            "categories": categories
            if categories is not None
            else L.categories_of_mask(req.categories),
            "max_level": max_level or req.max_level,
            "mode": mode or req.mode,
            "duration": duration or req.duration,
        }
        if existing is not None and (existing.referent or how == KEEP):
            grant = Grant.objects.get(pk=existing.grant_id)
            decision, purpose = services.authorize_consent(actor, patient_id, Action.GRANT)
            services.record(
                actor,
                patient_id,
                Action.GRANT,
                purpose,
                decision,
                what=f"{grants.practitioner_label(req.practitioner_id)}: access request "
                "answered, their access kept as it was",
            )
        else:
            if existing is not None and how == WIDEN:
                expires = grants.expiry(scope.pop("duration"), now)
                scope = _widened(existing, **scope, expires=expires, now=now)
            grant = grants.share(actor, patient_id, req.practitioner_id, **scope)
        AccessRequest.objects.filter(pk=req.pk).update(grant_id=grant.pk)
    return grant


def refuse(actor: Actor, patient_id: int, request_id: int) -> None:
    """Refuse a request. The practitioner is not told (see the module docstring).

    The history gets one entry: that practitioner asked for access, and it was refused.
    """
    _may_manage(actor, patient_id)
    with transaction.atomic():
        req = _claim(patient_id, request_id, "refused")
        who = User.objects.filter(pk=req.practitioner_id).first()
        if who is not None:
            services.record(
                Actor.of_user(who),
                patient_id,
                Action.GRANT,
                Purpose.TREATMENT,
                Permit(False, "the person refused the request"),
                what="access request",
            )


def expire_due(now: datetime | None = None) -> int:
    """Mark pending requests past their deadline as expired (their codes become free)."""
    now = now or timezone.now()
    return AccessRequest.objects.filter(status="pending", expires_at__lte=now).update(
        status="expired"
    )


# --- SMS answers ----------------------------------------------------------------------------


def _answer_by_sms(reply, accept: bool):
    """``OUI 4821`` / ``NON 4821`` from the person's phone (``notify`` reply handler)."""
    if len(reply.args) != 1 or not reply.args[0].isdigit():
        return "reply_not_understood"
    owners = {u.pk: u for u in reply.candidates}
    patients = dict(Patient.objects.filter(owner_id__in=list(owners)).values_list("pk", "owner_id"))
    matches = list(
        AccessRequest.objects.filter(
            patient_id__in=list(patients),
            reply_code=reply.args[0],
            status="pending",
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
    )
    if len(matches) != 1:
        return "reply_unknown_code"
    req = matches[0]
    actor = Actor.of_user(owners[patients[req.patient_id]])
    try:
        if accept:
            approve(actor, req.patient_id, req.pk)
        else:
            refuse(actor, req.patient_id, req.pk)
    except (RequestClosed, NotFound, grants.GrantRefused):
        return "reply_unknown_code"
    return "access_request_approved" if accept else "access_request_refused"


def answer_yes(reply):
    return _answer_by_sms(reply, True)


def answer_no(reply):
    return _answer_by_sms(reply, False)
