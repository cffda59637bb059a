"""An account made at a help point for a person with no email address and no phone.

The advisor types the person's name and birth date with them; Carnet makes the account, its
record space (with the person's name and birth date in it, written as the person's own
entry), a first password and recovery codes, and the advisor prints a sign-in letter in the
person's language. The identifier has the shape of an address (Carnet signs people in by
address) in a domain that receives no mail (``.invalid``, RFC 2606), so nothing is ever sent
to it. At the first sign-in, the person must choose their own password before anything else
(``FirstPasswordMiddleware``). The recovery codes are allauth's (``allauth.mfa``): they are the
person's second way in once they add a code app or a passkey, and each is used once.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.records import services as records

from .models import DeskAccount
from .services import desk_of

DOMAIN = "guichet.invalid"
MUST_CHANGE = "carnet_must_change_password"
# Words a person reads and types easily, for the first password (4 words and 2 digits).
WORDS = (
    "abeille arbre avion balcon bateau bougie cactus canard carotte castor cerise chapeau "
    "chaton citron colline crayon domino etoile falaise fenetre flocon fourmi girafe gateau "
    "hibou jardin kiwi lapin lavande lune marron melon montagne moulin nuage olive orange "
    "papillon parapluie pelouse phare piano pomme prairie radis renard riviere robot sable "
    "sapin soleil tambour tortue trefle tulipe valise violon volcan"
).split()


class Invalid(ValueError):
    pass


@dataclass(frozen=True)
class Letter:
    """What the sign-in letter says: shown once, never kept in clear."""

    name: str
    birth_date: date
    identifier: str
    password: str
    recovery_codes: tuple[str, ...]
    language: str
    place: str


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return ".".join(parts)[:40] or "carnet"


def first_password() -> str:
    words = [secrets.choice(WORDS) for _ in range(4)]
    return "-".join(w.capitalize() for w in words) + f"-{secrets.randbelow(90) + 10}"


def create(advisor, name: str, birth_date: date, language: str = "fr") -> Letter:
    """Make the account of the person at the desk; returns the letter to print."""
    point = desk_of(advisor)
    if point is None:
        raise Invalid("no help point")
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 150:
        raise Invalid("name")
    today = timezone.localdate()
    if not (date(1900, 1, 1) <= birth_date <= today):
        raise Invalid("birth_date")
    password = first_password()
    for _ in range(20):
        identifier = f"{_slug(name)}.{secrets.randbelow(9000) + 1000}@{DOMAIN}"
        if not User.objects.filter(email=identifier).exists():
            break
    try:
        with transaction.atomic():
            user = accounts.create_user(
                identifier, password, display_name=name, language=language or "fr"
            )
            DeskAccount.objects.create(
                user=user,
                help_point=point,
                created_by_id=advisor.pk,
                created_at=timezone.now(),
            )
            codes = tuple(RecoveryCodes.activate(user).generate_codes())
            patient = accounts.patient_of(user)
            assert patient is not None
            given, _sep, family = name.rpartition(" ")
            identity = {
                "resourceType": "Patient",
                "name": [
                    {"text": name, "family": family or name, "given": [given] if given else []}
                ],
                "birthDate": birth_date.isoformat(),
            }
            records.create(Actor.of_user(user), patient.pk, identity, Purpose.SELF)
    except IntegrityError:
        raise Invalid("identifier") from None
    return Letter(name, birth_date, identifier, password, codes, language or "fr", str(point))


def is_desk_identifier(email: str) -> bool:
    return (email or "").lower().endswith("@" + DOMAIN)


# --- The first password is the person's own choice ----------------------------------------


@receiver(user_logged_in, dispatch_uid="carnet.helppoint.first_password")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if DeskAccount.objects.filter(user_id=user.pk, must_change_password=True).exists():
            request.session[MUST_CHANGE] = True


@receiver(password_changed, dispatch_uid="carnet.helppoint.password_changed")
@receiver(password_reset, dispatch_uid="carnet.helppoint.password_reset")
def _on_password_changed(sender, request, user, **kwargs):
    DeskAccount.objects.filter(user_id=user.pk).update(must_change_password=False)
    if request is not None and hasattr(request, "session"):
        request.session.pop(MUST_CHANGE, None)


class FirstPasswordMiddleware:
    """A person signed in with the first password from their letter chooses their own first."""

    ALLOWED = ("/accounts/password/change/", "/accounts/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(MUST_CHANGE)
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED)
        ):
            return redirect(reverse("account_change_password"))
        return self.get_response(request)


# --- A forgotten password, back at a desk with the letter ----------------------------------


@dataclass(frozen=True)
class NewPassword:
    identifier: str
    password: str
    language: str


def reset(advisor, identifier: str, recovery_code: str) -> NewPassword:
    """The person came back with their letter: one of its recovery codes (used up) proves it
    is them; they get a new first password, to change at the next sign-in. Wrong tries count
    against the desk, as wrong help codes do (``services.locked``)."""
    from .models import DeskAttempt
    from .services import locked

    point = desk_of(advisor)
    if point is None:
        raise Invalid("no help point")
    now = timezone.now()
    if locked(point, now):
        raise Invalid("locked")
    account = (
        DeskAccount.objects.filter(user__email=(identifier or "").strip().lower())
        .select_related("user")
        .first()
    )
    ok = False
    if account is not None:
        from allauth.mfa.models import Authenticator

        codes = Authenticator.objects.filter(
            user_id=account.user_id, type=Authenticator.Type.RECOVERY_CODES
        ).first()
        ok = codes is not None and RecoveryCodes(codes).validate_code(
            (recovery_code or "").strip().lower()
        )
    DeskAttempt.objects.create(help_point=point, advisor_id=advisor.pk, at=now, ok=ok)
    if not ok or account is None:
        raise Invalid("locked" if locked(point, now) else "wrong")
    password = first_password()
    with transaction.atomic():
        account.user.set_password(password)
        account.user.save(update_fields=["password"])
        account.must_change_password = True
        account.save(update_fields=["must_change_password"])
    return NewPassword(account.user.email, password, account.user.language or "fr")
