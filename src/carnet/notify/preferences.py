"""What a person chooses on the notifications page, and proving a mobile number is theirs.

    save_choices(user, ...)                         -> Preferences
    start_phone_check(user, store, raw_phone)       -> PhoneCheck   (sends a 6-digit code by SMS)
    confirm_phone(user, store, code)                -> Preferences  (number kept, SMS on)
    remove_phone(user)                              -> Preferences
    set_push(user, on)                              -> Preferences

A number gets SMS only once its owner typed back the code sent to it: SMS replies are
matched to accounts by number ("OUI 4821" approves an access request), so a number
nobody proved would let one person act, or be told things, in another's name. The code
is never stored: only an HMAC of it, bound to the account and the number, in the
person's server-side session (``store``), with an expiry and a count of wrong tries.
How many codes an account may have sent is counted in the cache, so that signing in
again does not reset it, and so is how many one number received, whatever the accounts
asking: Carnet must not become a way to send SMS to anyone's phone. Wrong tries are
counted in the cache too, each taken before the code is compared: requests sent at
once from one session cannot guess more than ``MAX_WRONG_CODES`` times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext_lazy

from carnet.accounts import phones

from . import services, sms
from .models import Preferences, PushSubscription

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_WRONG_CODES = 5  # wrong tries per code; then a new code is needed
MAX_CODES_PER_DAY = 5  # codes sent per account in 24 hours
MAX_CODES_PER_NUMBER = 5  # codes sent to one number in 24 hours, all accounts together
SESSION_KEY = "notify_phone_check"
_SALT = "carnet.notify.preferences.phone-code"

# The SMS carrying the code, in the person's language, like the texts of ``events``: no
# health detail.
CODE_SMS = pgettext_lazy(
    "notification",
    "Carnet: your confirmation code is %(code)s. It expires in 10 minutes. "
    "Do not give it to anyone.",
)


def code_sms(code: str, lang: str) -> str:
    """The text of the SMS carrying ``code``, in ``lang``."""
    with override(lang):
        return str(CODE_SMS) % {"code": code}


class PhoneCheckError(ValidationError):
    """The number or the code was refused; the message says what to do next."""


@dataclass(frozen=True)
class PhoneCheck:
    """A code on its way to ``phone``, waiting to be typed back."""

    phone: str
    expires_at: dt.datetime
    tries_left: int


# --- the choices of the page --------------------------------------------------------------------
def save_choices(
    user,
    *,
    email: bool,
    sms: bool,
    language: str,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    frequency: str,
    digest_hour: int,
) -> Preferences:
    """Save what the page chose, all or nothing. In-app stays on: it is the one place
    where everything is kept, and it never leaves Carnet.

    SMS needs a number proved with a code (``confirm_phone``): a request to turn SMS on
    without one is refused rather than half-applied.
    """
    if sms and not services.preferences(user).phone:
        raise ValidationError(
            {"sms": _("Add your mobile number below and type the code we send to it first.")}
        )
    return services.update_preferences(
        user,
        in_app=True,
        email=email,
        sms=sms,
        language=language,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        frequency=frequency,
        digest_hour=digest_hour,
    )


def set_push(user, on: bool) -> Preferences:
    """Turn Web Push on (once a browser of the person's allowed it) or off."""
    if on and not PushSubscription.objects.filter(user_id=user.pk).exists():
        raise ValidationError(
            _("Allow notifications in your browser first, with the button on this page.")
        )
    with transaction.atomic():
        if not on:
            # One switch for every device: off forgets every browser's subscription too.
            PushSubscription.objects.filter(user_id=user.pk).delete()
        return services.update_preferences(user, push=on)


# --- proving a mobile number ------------------------------------------------------------------
def clean_mobile(raw: str) -> str:
    """E.164 from what people type; a French number must be a mobile (06 or 07)."""
    try:
        phone = phones.normalise(raw or "")
    except phones.BadNumber as exc:
        raise PhoneCheckError(exc.message) from None
    if not phones.is_mobile(phone):
        raise PhoneCheckError(
            _("This is not a mobile number: SMS need a number starting with 06 or 07.")
        )
    return phone


def _digest(user, phone: str, code: str) -> str:
    return salted_hmac(_SALT, f"{user.pk}|{phone}|{code}", algorithm="sha256").hexdigest()


def _sent_key(user) -> str:
    return f"notify:phone-codes:{user.pk}"


def _number_key(phone: str) -> str:
    # The number itself is not written into the cache's keys.
    return "notify:phone-codes-to:" + hashlib.sha256(phone.encode()).hexdigest()[:32]


def codes_sent_today(user) -> int:
    return int(cache.get(_sent_key(user)) or 0)


def _count(key: str, timeout: int) -> int:
    """Add one to the cache counter ``key`` (atomic in Redis and in memory); the new value."""
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def _tries_key(user, state: dict) -> str:
    return f"notify:phone-code-tries:{user.pk}:{state['digest'][:32]}"


def _tries(user, state: dict) -> int:
    return max(int(state.get("tries", 0)), int(cache.get(_tries_key(user, state)) or 0))


def pending(user, store: MutableMapping, now: dt.datetime | None = None) -> PhoneCheck | None:
    """The code waiting to be typed back, if any and still valid."""
    state = store.get(SESSION_KEY)
    if not state or state.get("user") != user.pk:
        return None
    now = now or timezone.now()
    expires = dt.datetime.fromtimestamp(state["expires"], tz=dt.UTC)
    tries = _tries(user, state)
    if expires <= now or tries >= MAX_WRONG_CODES:
        return None
    return PhoneCheck(state["phone"], expires, MAX_WRONG_CODES - tries)


def start_phone_check(
    user, store: MutableMapping, raw_phone: str, now: dt.datetime | None = None
) -> PhoneCheck:
    """Send a new 6-digit code by SMS to the number typed; remember only its HMAC."""
    phone = clean_mobile(raw_phone)
    if codes_sent_today(user) >= MAX_CODES_PER_DAY:
        raise PhoneCheckError(
            _("We already sent you %(count)s codes today. Use the last one, or try again tomorrow.")
            % {"count": MAX_CODES_PER_DAY}
        )
    if int(cache.get(_number_key(phone)) or 0) >= MAX_CODES_PER_NUMBER:
        raise PhoneCheckError(
            _(
                "This number has received too many codes today. Check that it is yours, "
                "or try again tomorrow."
            )
        )
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # Counted before sending: a gateway that fails after accepting still cost an SMS.
    _count(_sent_key(user), 24 * 3600)
    _count(_number_key(phone), 24 * 3600)
    store.pop(SESSION_KEY, None)
    lang = services.language_for(user)
    text = code_sms(code, lang)
    try:
        sms.backend().send(sms.Sms(to=phone, text=text, client_ref=uuid.uuid4().hex))
    except sms.SmsError:
        raise PhoneCheckError(
            _(
                "The SMS could not be sent just now. Check the number and try again in a "
                "few minutes."
            )
        ) from None
    expires = now + CODE_LIFETIME
    store[SESSION_KEY] = {
        "user": user.pk,
        "phone": phone,
        "digest": _digest(user, phone, code),
        "expires": expires.timestamp(),
        "tries": 0,
    }
    return PhoneCheck(phone, expires, MAX_WRONG_CODES)


def confirm_phone(
    user, store: MutableMapping, code: str, now: dt.datetime | None = None
) -> Preferences:
    """Check the code typed back; when right, keep the number and turn SMS on."""
    state = store.get(SESSION_KEY)
    check = pending(user, store, now)
    if check is None:
        store.pop(SESSION_KEY, None)
        raise PhoneCheckError(
            _("This code is no longer valid. Ask for a new code with the button below.")
        )
    code = re.sub(r"\s", "", code or "")
    # The try is taken before the comparison, atomically: parallel requests each use one.
    tries = _count(_tries_key(user, state), int(CODE_LIFETIME.total_seconds()) + 60)
    if tries > MAX_WRONG_CODES:
        store.pop(SESSION_KEY, None)
        raise PhoneCheckError(
            _("This code is wrong too many times. Ask for a new code with the button below.")
        )
    if not (
        code.isdigit() and constant_time_compare(state["digest"], _digest(user, check.phone, code))
    ):
        state["tries"] = max(state["tries"] + 1, tries)
        store[SESSION_KEY] = state  # a session notices changes made through assignment
        left = MAX_WRONG_CODES - state["tries"]
        if left <= 0:
            store.pop(SESSION_KEY, None)
            raise PhoneCheckError(
                _("This code is wrong too many times. Ask for a new code with the button below.")
            )
        raise PhoneCheckError(
            _(
                "This code is wrong. Check the SMS and type the 6 digits again (%(left)s tries left)."
            )
            % {"left": left}
        )
    store.pop(SESSION_KEY, None)
    return services.update_preferences(user, phone=check.phone, sms=True)


def cancel_phone_check(store: MutableMapping) -> None:
    store.pop(SESSION_KEY, None)


def remove_phone(user) -> Preferences:
    """Forget the number; SMS stops with it."""
    return services.update_preferences(user, phone="", sms=False)
