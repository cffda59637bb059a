"""Failed sign-ins slow the attacker down with growing delays, per account and per address,
and never keep the owner's right password out for minutes (issue 13, point 9).

Time is a frozen clock moved by hand: no test waits, none measures wall-clock time.
"""

import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from carnet.accounts import services as accounts
from carnet.accounts import throttle

from .helpers import Clock

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "correct horse battery"
WRONG = "wrong password here"


@pytest.fixture
def clock(monkeypatch):
    c = Clock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), dt.UTC)
    monkeypatch.setattr(timezone, "now", c)
    return c


def later(clock, seconds: float) -> None:
    clock.at += dt.timedelta(seconds=seconds)


@pytest.fixture
def alice():
    return accounts.create_user("alice@example.org", PASSWORD)


def attempt(email: str, password: str = WRONG, address: str = "192.0.2.1"):
    response = Client(REMOTE_ADDR=address).post(
        reverse("account_login"), {"login": email, "password": password}
    )
    return response


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def wait_asked(response) -> int | None:
    """The seconds the page asks to wait, or None when it does not ask."""
    if response.status_code != 200:
        return None
    for error in response.context["form"].non_field_errors().as_data():
        if error.code == "slow_down":
            return int(error.params["seconds"])
    return None


def test_delays_grow_with_each_failure_on_an_account_from_any_address(alice, clock):
    waits = []
    for i in range(8):
        # Each guess comes from another address and waits out the delay asked before it.
        response = attempt("alice@example.org", address=f"198.51.100.{i}")
        asked = wait_asked(response)
        if asked:
            waits.append(asked)
            later(clock, asked)
            response = attempt("alice@example.org", address=f"198.51.100.{i}")
        assert not signed_in(response)
        assert wait_asked(response) is None  # the guess was checked, and failed
    assert waits == [2, 4, 8, 16, 30], waits  # doubling, up to 30 seconds


def test_the_owner_gets_in_with_the_right_password_within_30_seconds_of_any_attack(alice, clock):
    for i in range(40):  # an attacker tries 40 passwords, waiting out every delay
        response = attempt("alice@example.org", address=f"203.0.113.{i}")
        if wait_asked(response):
            later(clock, wait_asked(response))
            attempt("alice@example.org", address=f"203.0.113.{i}")
    # Right after the last failure the owner is asked to wait, never more than 30 s …
    refused = attempt("alice@example.org", PASSWORD, address="192.0.2.200")
    assert not signed_in(refused)
    assert 0 < wait_asked(refused) <= 30
    html = refused.content.decode()
    assert "Envoyez-moi un code de connexion" in html  # … and is shown the email way in
    later(clock, wait_asked(refused))
    assert signed_in(attempt("alice@example.org", PASSWORD, address="192.0.2.200"))


def test_an_address_that_guesses_many_accounts_is_slowed_down_and_no_other(alice, clock):
    for i in range(10):
        attempt(f"guess{i}@example.org", address="203.0.113.7")
    response = attempt("alice@example.org", PASSWORD, address="203.0.113.7")
    assert not signed_in(response) and wait_asked(response) == 2
    assert signed_in(attempt("alice@example.org", PASSWORD, address="203.0.113.8"))
    later(clock, 2)
    assert signed_in(attempt("alice@example.org", PASSWORD, address="203.0.113.7"))


def test_a_successful_sign_in_does_not_wipe_the_count(alice, clock):
    for i in range(2):
        attempt("alice@example.org", address=f"192.0.2.{i}")
    assert signed_in(attempt("alice@example.org", PASSWORD))
    attempt("alice@example.org", address="192.0.2.9")  # third failure: delays start
    assert wait_asked(attempt("alice@example.org", PASSWORD)) == 2


def test_unknown_addresses_are_slowed_down_exactly_alike(alice, clock):
    answers = {}
    for email in ("alice@example.org", "nobody@example.org"):
        for i in range(4):
            attempt(email, address=f"198.51.100.{i}")
        answers[email] = wait_asked(attempt(email, address="198.51.100.60"))
    assert answers["alice@example.org"] == answers["nobody@example.org"] == 2


def test_parallel_guesses_on_one_account_go_one_at_a_time(alice, clock):
    from django.core.cache import cache

    key = throttle._keys(RequestFactory().get("/"), "alice@example.org")[0][0]
    cache.add(key + ":busy", 1, 10)  # another attempt on the account is being checked
    response = attempt("alice@example.org", PASSWORD)
    assert not signed_in(response) and wait_asked(response) == 1
