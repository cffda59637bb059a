"""The account page lists where the person is signed in; each session can be closed,
whatever session store is configured (database, cached database, cache, files)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.accounts import sessions
from carnet.accounts.models import SessionIndex
from carnet.vault.session_keys import open_session_key

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])


ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.file",
]


@pytest.fixture(autouse=True, params=ENGINES, ids=lambda e: e.rsplit(".", 1)[-1])
def engine(request, settings, tmp_path):
    settings.SESSION_ENGINE = request.param
    settings.SESSION_FILE_PATH = str(tmp_path)
    return request.param


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its per-address sign-in counters in the cache, across tests.
    cache.clear()
    yield
    cache.clear()


PASSWORD = "correct horse battery"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def signed_in_client(email: str, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def alice():
    return accounts.create_user("alice@example.org", PASSWORD)


@pytest.fixture
def bob():
    return accounts.create_user("bob@example.org", PASSWORD)


def session_ids(html: str) -> list[str]:
    return re.findall(r"/compte/sessions/([0-9a-f]{32})/fermer/", html)


def test_the_account_page_lists_my_sessions_only(alice, bob):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    phone = signed_in_client("alice@example.org", ANDROID)
    signed_in_client("bob@example.org", FIREFOX)
    html = laptop.get(reverse("accounts:account")).content.decode()
    assert "Firefox, Windows" in html and "Chrome, Android" in html
    assert len(session_ids(html)) == 2
    # Session keys never appear in the page, only their hashes.
    for key in (laptop.cookies["sessionid"].value, phone.cookies["sessionid"].value):
        assert key not in html
    assert FIREFOX not in html


def test_closing_another_session_signs_it_out(alice):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    phone = signed_in_client("alice@example.org", ANDROID)
    phone_id = sessions.session_id(phone.cookies["sessionid"].value)
    response = laptop.post(reverse("accounts:session_revoke", args=[phone_id]))
    assert response.status_code == 302
    assert phone.get(reverse("accounts:account")).status_code == 302
    assert laptop.get(reverse("accounts:account")).status_code == 200


def test_closing_this_session_signs_me_out(alice):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    own = sessions.session_id(laptop.cookies["sessionid"].value)
    response = laptop.post(reverse("accounts:session_revoke", args=[own]))
    assert response.status_code == 302
    assert laptop.get(reverse("accounts:account")).status_code == 302


def test_nobody_closes_someone_elses_session(alice, bob):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    bobs = signed_in_client("bob@example.org", FIREFOX)
    bob_id = sessions.session_id(bobs.cookies["sessionid"].value)
    response = laptop.post(reverse("accounts:session_revoke", args=[bob_id]))
    assert response.status_code == 404
    assert bobs.get(reverse("accounts:account")).status_code == 200


def test_close_every_other_session(alice, engine):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    others = [signed_in_client("alice@example.org", ANDROID) for _ in range(2)]
    response = laptop.post(reverse("accounts:session_revoke_others"))
    assert response.status_code == 302
    for other in others:
        assert other.get(reverse("accounts:account")).status_code == 302
    assert laptop.get(reverse("accounts:account")).status_code == 200
    assert SessionIndex.objects.filter(user=alice).count() == 1
    if engine.endswith("db"):
        assert Session.objects.count() == 1


def test_revoking_needs_a_post(alice):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    own = sessions.session_id(laptop.cookies["sessionid"].value)
    assert laptop.get(reverse("accounts:session_revoke", args=[own])).status_code == 405


def test_revoking_is_protected_against_csrf(alice):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=FIREFOX)
    client.force_login(alice)
    own = sessions.session_id(client.cookies["sessionid"].value)
    assert client.post(reverse("accounts:session_revoke", args=[own])).status_code == 403
    assert client.get(reverse("accounts:account")).status_code == 200


@pytest.mark.parametrize(
    ("agent", "name"),
    [(FIREFOX, "Firefox, Windows"), (ANDROID, "Chrome, Android"), ("curl/8", None)],
)
def test_devices_get_short_names(agent, name):
    described = sessions.describe_agent(agent)
    assert described == name if name else described not in ("", agent)


def test_signing_out_removes_the_session_from_the_list(alice):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    phone = signed_in_client("alice@example.org", ANDROID)
    phone.post(reverse("account_logout"))
    html = laptop.get(reverse("accounts:account")).content.decode()
    assert len(session_ids(html)) == 1 and "Chrome, Android" not in html
    assert SessionIndex.objects.filter(user=alice).count() == 1


def test_a_session_gone_from_the_store_leaves_the_list(alice):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    phone = signed_in_client("alice@example.org", ANDROID)
    # Expired or cleared by the store itself (cache eviction, clearsessions…).
    sessions._store().delete(phone.cookies["sessionid"].value)
    html = laptop.get(reverse("accounts:account")).content.decode()
    assert len(session_ids(html)) == 1
    assert SessionIndex.objects.filter(user=alice).count() == 1


def test_the_index_keeps_no_session_key_in_clear(alice):
    laptop = signed_in_client("alice@example.org", FIREFOX)
    key = laptop.cookies["sessionid"].value
    [row] = SessionIndex.objects.filter(user=alice)
    assert key.encode() not in bytes(row.sealed_key)
    assert open_session_key(row.sealed_key) == key
    assert row.sid == sessions.session_id(key)


def test_signed_cookie_sessions_are_refused(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert [e.id for e in sessions.check_session_engine()] == ["carnet.E010"]
