"""X-Forwarded-For is believed only from the proxies named in CARNET_TRUSTED_PROXIES
(issue 13, point 9): the address sign-in limits are counted against."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.accounts.addresses import client_ip

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "correct horse battery"


def ip(remote: str, forwarded: str | None = None) -> str:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.CARNET_TRUSTED_PROXIES = []
    assert ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_from_a_trusted_proxy_the_client_is_the_first_untrusted_hop_from_the_right(settings):
    settings.CARNET_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert ip("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    # Whatever the client wrote on the left is not believed.
    assert ip("127.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert ip("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert ip("127.0.0.1", "2001:db8::1") == "2001:db8::1"
    assert ip("127.0.0.1", "not an address") == "127.0.0.1"
    assert ip("127.0.0.1") == "127.0.0.1"
    # A request that does not come from a trusted proxy: its header is not believed.
    assert ip("203.0.113.9", "198.51.100.7") == "203.0.113.9"


def fail(remote: str, forwarded: str, email: str) -> None:
    Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded).post(
        reverse("account_login"), {"login": email, "password": "wrong password here"}
    )


def right(remote: str, forwarded: str) -> bool:
    client = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    client.post(reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_a_guesser_cannot_escape_the_address_limit_by_writing_the_header(settings):
    settings.CARNET_TRUSTED_PROXIES = []
    accounts.create_user("alice@example.org", PASSWORD)
    for i in range(10):
        fail("203.0.113.9", f"198.51.100.{i}", f"guess{i}@example.org")
    assert not right("203.0.113.9", "192.0.2.77")


def test_behind_a_trusted_proxy_one_guesser_does_not_slow_down_everyone(settings):
    settings.CARNET_TRUSTED_PROXIES = ["127.0.0.1"]
    accounts.create_user("alice@example.org", PASSWORD)
    for i in range(10):
        fail("127.0.0.1", "198.51.100.66", f"guess{i}@example.org")
    assert right("127.0.0.1", "192.0.2.5")  # another client behind the same proxy
    assert not right("127.0.0.1", "192.0.2.5, 198.51.100.66")  # the guesser, even lying
