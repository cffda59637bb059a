"""Passwords and sign-in: length, breached passwords, strength, throttling that does not enumerate.

The growing delays after failed sign-ins are tested in tests/test_sign_in_slow_down.py.

The breached-password list is Django's CommonPasswordValidator list (about 20,000 of the
most common leaked passwords); passwords are hashed with Argon2 in production.
"""

import hashlib
import re

import pytest
from django.contrib.auth import hashers
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from carnet.accounts import services as accounts

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "correct horse battery"
LONG = hashlib.sha256(b"a").hexdigest() + hashlib.sha256(b"b").hexdigest() + "xyz"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice():
    return accounts.create_user("alice@example.org", PASSWORD)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("x7#kq2!mz9a", False),  # 11 characters
        ("x7#kq2!mz9aw", True),  # 12, no composition rules
        ("tous les matins", True),  # a passphrase of plain words
        (LONG[:128], True),  # 128
        (LONG[:129], False),  # 129
        ("qwerty123456", False),  # common breached password
        ("1q2w3e4r5t6y", False),
        ("aaaaaaaaaaaa", False),  # 12 characters, but a repeat (zxcvbn)
        ("123456789012", False),  # 12 characters, but a sequence everyone uses
    ],
)
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_argon2_is_the_production_hasher():
    from django.test import override_settings

    import carnet.settings as carnet_settings

    assert carnet_settings.PASSWORD_HASHERS[0].endswith("Argon2idHasher")
    with override_settings(PASSWORD_HASHERS=carnet_settings.PASSWORD_HASHERS):
        assert hashers.make_password("x" * 12).startswith("argon2")


def attempt(client: Client, email: str, password: str = "wrong password here"):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def normalised(response, email: str) -> str:
    html = response.content.decode().replace(email, "EMAIL")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return html.replace(response["X-Request-ID"], "RID")


def test_unknown_and_known_addresses_get_the_same_answer(alice):
    known = attempt(Client(), "alice@example.org")
    unknown = attempt(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert normalised(known, "alice@example.org") == normalised(unknown, "nobody@example.org")


def test_unknown_and_known_addresses_cost_the_same_hashing(alice, monkeypatch):
    """Timing: an unknown address runs the hasher as many times as a known one."""
    calls = []
    encode = hashers.MD5PasswordHasher.encode

    def counting(self, *args, **kwargs):
        calls.append(1)
        return encode(self, *args, **kwargs)

    monkeypatch.setattr(hashers.MD5PasswordHasher, "encode", counting)
    work = {}
    for email in ("alice@example.org", "nobody@example.org"):
        calls.clear()
        attempt(Client(), email)
        work[email] = len(calls)
    assert work["alice@example.org"] == work["nobody@example.org"] >= 1, work


def test_throttling_looks_the_same_for_unknown_addresses(alice, monkeypatch):
    from django.utils import timezone

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # the same "wait N seconds" for both
    answers = {}
    for email in ("alice@example.org", "nobody@example.org"):
        for i in range(5):
            attempt(Client(REMOTE_ADDR=f"198.51.100.{i}"), email)
        response = attempt(Client(REMOTE_ADDR="198.51.100.50"), email)
        answers[email] = (
            response.status_code,
            response.context["form"].errors,
            normalised(response, email),
        )
    assert answers["alice@example.org"] == answers["nobody@example.org"]
    assert answers["alice@example.org"][1]  # it does say something
