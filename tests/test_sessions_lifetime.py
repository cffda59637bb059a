"""Sessions: a new key at sign-in, 30 minutes idle, 12 hours at most, __Host- cookies.

The clock of carnet.accounts.sessions is replaced; nothing sleeps.
"""

from unittest import mock

import pytest
from django.contrib import messages
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.accounts import sessions

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its per-address sign-in counters in the cache, across tests.
    cache.clear()
    yield
    cache.clear()


PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock():
    c = Clock(T0)
    with mock.patch.object(sessions, "now", c):
        yield c


@pytest.fixture
def alice():
    return accounts.create_user("alice@example.org", PASSWORD)


def sign_in(client):
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def signed_in(client) -> bool:
    return client.get(reverse("accounts:account")).status_code == 200


def test_sign_in_gives_a_new_session_key(client, alice, clock):
    session = client.session  # an anonymous session, as an attacker could plant one
    session["planted"] = 1
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    sign_in(client)
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_activity_within_30_minutes_keeps_the_session(client, alice, clock):
    sign_in(client)
    for _ in range(4):
        clock.at += 29 * 60
        assert signed_in(client)


def test_30_minutes_idle_ends_the_session(client, alice, clock):
    sign_in(client)
    clock.at += 30 * 60 + 1
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Signed out for good: coming back earlier does not revive it.
    clock.at = T0
    assert not signed_in(client)


def test_12_hours_end_the_session_even_when_active(client, alice, clock):
    sign_in(client)
    for _ in range(12 * 60 // 20):
        clock.at += 20 * 60
        assert signed_in(client)
    clock.at += 20 * 60
    assert not signed_in(client)


def test_signing_in_again_starts_a_new_12_hours(client, alice, clock):
    sign_in(client)
    clock.at += 13 * 3600
    assert not signed_in(client)
    sign_in(client)
    assert signed_in(client)


def test_limits_come_from_settings(client, alice, clock, settings):
    settings.CARNET_SESSION_IDLE_SECONDS = 60
    sign_in(client)
    clock.at += 61
    assert not signed_in(client)


def test_expired_session_says_why(client, alice, clock):
    sign_in(client)
    clock.at += 31 * 60
    response = client.get(reverse("accounts:account"), follow=True)
    notes = [m for m in response.context["messages"] if m.level == messages.INFO]
    assert len(notes) == 1
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_secure_cookies_use_host_prefix(monkeypatch):
    import importlib

    import carnet.settings as carnet_settings

    monkeypatch.setenv("CARNET_HTTPS", "1")
    monkeypatch.delenv("CARNET_SECURE_COOKIES", raising=False)
    monkeypatch.delenv("CARNET_DEBUG", raising=False)
    try:
        fresh = importlib.reload(carnet_settings)
        assert fresh.SESSION_COOKIE_NAME == "__Host-sessionid"
        assert fresh.CSRF_COOKIE_NAME == "__Host-csrftoken"
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
        assert fresh.CARNET_REQUIRE_MFA
    finally:
        monkeypatch.undo()
        importlib.reload(carnet_settings)


def test_plain_http_keeps_ordinary_cookie_names(monkeypatch):
    import importlib

    import carnet.settings as carnet_settings

    for name in ("CARNET_HTTPS", "CARNET_SECURE_COOKIES", "CARNET_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    try:
        fresh = importlib.reload(carnet_settings)
        assert fresh.SESSION_COOKIE_NAME == "sessionid"
        assert not fresh.CARNET_REQUIRE_MFA
        assert fresh.SECURE_HSTS_SECONDS == 0
    finally:
        monkeypatch.undo()
        importlib.reload(carnet_settings)


def test_host_cookie_is_sent_with_the_right_attributes(client, alice, clock, settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.SESSION_COOKIE_SECURE = True
    response = sign_in(client)
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert cookie["httponly"]
