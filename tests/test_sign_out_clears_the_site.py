"""Signing out leaves nothing behind: the answer asks the browser to clear the site's caches,
storage (the service worker and its copies) and cookies. A session that timed out ends on the
server only: a device its owner declared keeps its copy until they sign out."""

from unittest import mock

import pytest
from django.urls import reverse

from carnet.accounts import sessions
from carnet.web import offline

from . import people

T0 = 1_800_000_000.0


@pytest.fixture
def alice(client):
    user = people.citizen("Alice Martin", email="alice@example.org")
    client.force_login(user)
    client.post(reverse("own_device"), {"keep": "on"})
    return user


def test_signing_out_clears_everything_the_site_stored(client, alice):
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.cookies[offline.OWN_DEVICE_COOKIE]["max-age"] == 0
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out


def test_closing_this_very_session_clears_it_too(client, alice):
    mine = sessions.session_id(client.session.session_key)
    response = client.post(reverse("accounts:session_revoke", args=[mine]))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == offline.CLEAR_SITE_DATA


def test_a_page_that_is_no_sign_out_clears_nothing(client, alice):
    for name in ("home", "accounts:account"):
        assert "Clear-Site-Data" not in client.get(reverse(name))
    client.post(reverse("account_logout"))
    # Signed out, a second sign-out has nothing of anyone to clear.
    assert "Clear-Site-Data" not in client.post(reverse("account_logout"))


def test_a_session_that_timed_out_keeps_a_declared_devices_copy(client, alice):
    with mock.patch.object(sessions, "now", lambda: T0):
        client.get(reverse("home"))
    with mock.patch.object(sessions, "now", lambda: T0 + 31 * 60):
        response = client.get(reverse("accounts:account"))
    assert response.status_code == 302  # signed out by the server…
    assert "Clear-Site-Data" not in response  # …the device's copy is its owner's to delete


def test_other_code_can_clear_the_site_in_its_own_answer():
    from django.http import HttpResponse

    response = offline.clear_site_data(HttpResponse())
    assert response["Clear-Site-Data"] == offline.CLEAR_SITE_DATA
