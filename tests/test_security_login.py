"""Passwords and sign-in: length, breached passwords, throttling that does not enumerate.

The breached-password list is Django's CommonPasswordValidator list (about 20,000 of the
most common leaked passwords); passwords are hashed with Argon2 in production.
"""

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
        ("a" * 4 + "b" * 4 + "c" * 120, True),  # 128
        ("a" * 4 + "b" * 4 + "c" * 121, False),  # 129
        ("qwerty123456", False),  # common breached password
        ("1q2w3e4r5t6y", False),
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

    assert carnet_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
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


def test_an_account_is_throttled_after_5_failures_from_any_address(alice):
    for i in range(5):
        attempt(Client(REMOTE_ADDR=f"192.0.2.{i}"), "alice@example.org")
    # Even the right password is refused now, from yet another address.
    response = attempt(Client(REMOTE_ADDR="192.0.2.99"), "alice@example.org", PASSWORD)
    assert response.status_code != 302
    assert "_auth_user_id" not in response.wsgi_request.session


def test_throttling_looks_the_same_for_unknown_addresses(alice):
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


def test_an_address_is_throttled_after_10_failures_on_any_accounts(alice):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(10):
        attempt(client, f"guess{i}@example.org")
    response = attempt(client, "alice@example.org", PASSWORD)
    assert response.status_code != 302
    # Another address is not affected.
    assert (
        attempt(Client(REMOTE_ADDR="203.0.113.8"), "alice@example.org", PASSWORD).status_code == 302
    )


def test_a_successful_sign_in_does_not_reset_the_account_limit(alice):
    for i in range(4):
        attempt(Client(REMOTE_ADDR=f"192.0.2.{i}"), "alice@example.org")
    assert attempt(Client(), "alice@example.org", PASSWORD).status_code == 302
    attempt(Client(REMOTE_ADDR="192.0.2.9"), "alice@example.org")
    assert attempt(Client(), "alice@example.org", PASSWORD).status_code != 302
