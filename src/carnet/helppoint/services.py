"""One-time codes at a public help point, and opening a help session with one.

The person makes a code in their app (with what the advisor may do, valid 10 minutes), has
one sent by SMS to their proved mobile number (the advisor asks for it, with them), or
prints a sheet of paper codes (like recovery codes: each used once, a year at most). The
advisor types it at the desk; ``redeem`` checks it (single use, not expired, the desk not
locked by wrong tries) and the security core opens the session (``access.assistance``): from
then on the policy decides every action with purpose ``assistance``.

Codes are never in a URL, a log or the session: only their HMAC is kept (``digest``).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from carnet.access import assistance
from carnet.access.services import Action, Actor, NotFound, person_side, record, require
from carnet.accounts import phones
from carnet.accounts.models import User
from carnet.notify import sms
from carnet.notify.models import Preferences

from .models import DeskAdvisor, DeskAttempt, HelpCode, HelpPoint

CODE_MINUTES = 10
PAPER_CODES = 5
PAPER_DAYS = 365
MAX_WRONG = 5  # wrong codes per desk ...
LOCK_MINUTES = 15  # ... within this many minutes lock the desk for as long
PAPER_CHOICE_MINUTES = 5
SMS_PER_DESK_HOUR = 20
SMS_PER_NUMBER_DAY = 3  # a paper code checked: the choice is made within this time


class Refused(Exception):
    """A code that opens nothing: ``reason`` is wrong, locked, no_desk (no detail on why a
    code is wrong: unknown, used and expired read the same)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _digest(code: str) -> str:
    return salted_hmac("carnet.helppoint.code", code, algorithm="sha256").hexdigest()


def normalise(raw: str) -> str:
    return re.sub(r"[\s\-.]", "", raw or "")


def show(code: str) -> str:
    """« 48217350 » as « 4821 7350 », easier to read aloud."""
    return f"{code[:4]} {code[4:]}"


def _new_code(patient_id: int, kind: str, scopes: str, expires_at, now) -> str:
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        digest = _digest(code)
        if not HelpCode.objects.filter(digest=digest).exists():
            HelpCode.objects.create(
                patient_id=patient_id,
                digest=digest,
                kind=kind,
                scopes=scopes,
                created_at=now,
                expires_at=expires_at,
            )
            return code


def _authorize(actor: Actor, patient_id: int, what: str):
    """Only the person (or a proxy who manages their record) makes codes for their record."""
    purpose = person_side(actor, patient_id, Action.GRANT, what=what)
    if purpose not in ("self", "proxy"):
        raise NotFound()
    return purpose, require(actor, patient_id, Action.GRANT, purpose, audit_now=False, what=what)


# --- The person's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    code: str
    expires_at: datetime | None
    scopes: tuple[str, ...]

    @property
    def shown(self) -> str:
        return show(self.code)


def create_code(actor: Actor, patient_id: int, scopes, *, now: datetime | None = None) -> Code:
    """A code to show the advisor, with what they may do, valid 10 minutes (replaces any
    earlier code of the app not used yet)."""
    chosen = assistance.clean_scopes(scopes)
    purpose, permit = _authorize(actor, patient_id, "help code")
    now = now or timezone.now()
    expires = now + timedelta(minutes=CODE_MINUTES)
    with transaction.atomic():
        HelpCode.objects.filter(
            patient_id=patient_id, kind__in=("app", "sms"), used_at__isnull=True
        ).delete()
        code = _new_code(patient_id, "app", ",".join(chosen), expires, now)
        record(actor, patient_id, Action.GRANT, purpose, permit, what="help code")
    return Code(code, expires, chosen)


def paper_codes(actor: Actor, patient_id: int, *, now: datetime | None = None) -> list[str]:
    """A new sheet of paper codes (the earlier sheet's unused codes stop working)."""
    purpose, permit = _authorize(actor, patient_id, "paper help codes")
    now = now or timezone.now()
    expires = now + timedelta(days=PAPER_DAYS)
    with transaction.atomic():
        HelpCode.objects.filter(patient_id=patient_id, kind="paper", used_at__isnull=True).delete()
        codes = [_new_code(patient_id, "paper", "", expires, now) for _ in range(PAPER_CODES)]
        record(actor, patient_id, Action.GRANT, purpose, permit, what="paper help codes")
    return codes


def paper_codes_left(patient_id: int, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return HelpCode.objects.filter(
        patient_id=patient_id, kind="paper", used_at__isnull=True, expires_at__gt=now
    ).count()


def end_from_person(actor: Actor, patient_id: int) -> int:
    return assistance.end_for_patient(actor, patient_id)


# --- The desk's side -----------------------------------------------------------------------


def desk_of(user) -> HelpPoint | None:
    if getattr(user, "role", "") != "advisor":
        return None
    row = DeskAdvisor.objects.filter(user_id=user.pk).select_related("help_point").first()
    return row.help_point if row else None


def short_name(user) -> str:
    """« Claire Dupont » -> « Claire D. »: what the person reads in their history."""
    parts = str(user).split()
    if len(parts) >= 2 and "@" not in parts[0]:
        return f"{parts[0]} {parts[-1][0]}."
    return str(user)


def desk_actor(user) -> Actor:
    point = desk_of(user)
    return Actor(user.pk, "advisor", short_name(user), str(point) if point else "")


def locked(point: HelpPoint, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    since = now - timedelta(minutes=LOCK_MINUTES)
    wrong = DeskAttempt.objects.filter(help_point=point, at__gt=since, ok=False).count()
    return wrong >= MAX_WRONG


@dataclass(frozen=True)
class Checked:
    """A paper code or an SMS code checked at the desk: the choice is made on the advisor's
    screen, with the person (``chosen_on`` « desk » or « sms »)."""

    code_id: int
    patient_id: int
    chosen_on: str


def redeem(user, raw: str, *, now: datetime | None = None) -> assistance.Session | Checked:
    """Check a code typed at the desk; a code from the app opens the session at once, a paper
    or SMS code asks for the choice first (``Checked``). Raises ``Refused``."""
    point = desk_of(user)
    if point is None:
        raise Refused("no_desk")
    now = now or timezone.now()
    if locked(point, now):
        raise Refused("locked")
    code = normalise(raw)
    row = None
    if re.fullmatch(r"\d{8}", code):
        with transaction.atomic():
            row = HelpCode.objects.filter(digest=_digest(code)).first()
            usable = (
                row is not None
                and row.used_at is None
                and (row.expires_at is None or row.expires_at > now)
            )
            if usable:
                # Used once: a second desk typing the same code at the same time gets nothing.
                usable = bool(
                    HelpCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
                )
            if not usable:
                row = None
    DeskAttempt.objects.create(help_point=point, advisor_id=user.pk, at=now, ok=row is not None)
    if row is None:
        raise Refused("locked" if locked(point, now) else "wrong")
    if row.kind == "app":
        return assistance.open(
            desk_actor(user),
            row.patient_id,
            row.scopes.split(","),
            place=str(point),
            chosen_on="app",
            now=now,
        )
    return Checked(row.id, row.patient_id, "desk" if row.kind == "paper" else "sms")


def open_checked(user, checked: Checked, scopes, *, now=None) -> assistance.Session:
    """The choice made on the advisor's screen with the person, after a paper or SMS code."""
    point = desk_of(user)
    if point is None:
        raise Refused("no_desk")
    now = now or timezone.now()
    used = HelpCode.objects.filter(pk=checked.code_id, patient_id=checked.patient_id).first()
    if used is None or used.used_at is None:
        raise Refused("wrong")
    if now - used.used_at > timedelta(minutes=PAPER_CHOICE_MINUTES):
        raise Refused("wrong")
    return assistance.open(
        desk_actor(user),
        checked.patient_id,
        scopes,
        place=str(point),
        chosen_on=checked.chosen_on,
        now=now,
    )


def send_sms_code(user, raw_phone: str, *, now: datetime | None = None) -> None:
    """Send a one-time code by SMS to the person's proved mobile number, asked at the desk.

    Answers the same whether the number is known or not; each ask counts as a try of the
    desk (a desk cannot send SMS to anyone's phone in a loop)."""
    point = desk_of(user)
    if point is None:
        raise Refused("no_desk")
    now = now or timezone.now()
    if locked(point, now):
        raise Refused("locked")
    try:
        phone = phones.normalise(raw_phone)
    except phones.BadNumber:
        raise Refused("phone") from None
    # A desk sends a few SMS an hour at most, and one number gets a few a day: Carnet must
    # not become a way to send SMS to anyone's phone.
    desk_key, phone_key = f"helppoint-sms-desk:{point.pk}", f"helppoint-sms-to:{_digest(phone)}"
    cache.add(desk_key, 0, 3600)
    cache.add(phone_key, 0, 86400)
    if cache.incr(desk_key) > SMS_PER_DESK_HOUR or cache.incr(phone_key) > SMS_PER_NUMBER_DAY:
        raise Refused("sms_limit")
    owners = list(
        Preferences.objects.filter(phone=phone, user__is_active=True).values_list(
            "user_id", flat=True
        )[:2]
    )
    if len(owners) != 1:
        return
    person = User.objects.get(pk=owners[0])
    patient = getattr(person, "patient", None)
    if patient is None:
        return
    expires = now + timedelta(minutes=CODE_MINUTES)
    with transaction.atomic():
        HelpCode.objects.filter(
            patient_id=patient.pk, kind__in=("app", "sms"), used_at__isnull=True
        ).delete()
        code = _new_code(patient.pk, "sms", "", expires, now)
    with translation.override(person.language or "fr"):
        text = _(
            "Carnet: your code for %(place)s is %(code)s. Valid %(minutes)s minutes. Give it "
            "only to the advisor in front of you."
        ) % {"place": str(point), "code": show(code), "minutes": CODE_MINUTES}
    try:
        sms.backend().send(sms.Sms(to=phone, text=text, client_ref=uuid.uuid4().hex))
    except sms.SmsError:
        return


def person_name(patient_id: int) -> str:
    from carnet.accounts import services as accounts

    return accounts.account_name(patient_id)
