"""A person declares this browser as their own device, or not: only then may the service
worker keep their summary pages, which say when they were written; every page stays no-store."""

import pytest
from django.test import Client
from django.urls import reverse

from carnet.web import offline

from . import people

KEPT = [
    "home",
    "records:summary",
    "records:card",
    "reminders:index",
    "reminders:treatments",
    "reminders:agenda",
]


@pytest.fixture
def alice(client):
    user = people.citizen("Alice Martin", email="alice@example.org")
    people.english(client).force_login(user)
    return user


def declare(client, keep="on"):
    return client.post(reverse("own_device"), {"keep": keep, "next": reverse("home")})


def test_by_default_nothing_is_kept(client, alice):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response[offline.KEEP_HEADER] == "drop"
    assert response["Cache-Control"] == "no-store"
    assert b"carnet-offline-note" not in response.content
    # Home asks the question, in plain words, with the risk.
    assert b"This device is mine: keep my summary readable without a connection" in response.content
    assert b"Anyone who uses this device could read them" in response.content


def test_declared_the_summary_pages_are_kept_with_their_date(client, alice):
    response = declare(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert offline.OWN_DEVICE_COOKIE in response.cookies
    assert response.cookies[offline.OWN_DEVICE_COOKIE]["httponly"]
    for name in KEPT:
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert page[offline.KEEP_HEADER] == "keep", name
        assert "no-store" in page["Cache-Control"], name  # never the browser's HTTP cache
        assert b'<meta name="carnet-offline-note" content="You are offline' in page.content, name
        assert b"Last updated: " in page.content
    # Other pages are not kept, and do not drop the copy either.
    sharing = client.get(reverse("coffre:sharing"))
    assert sharing.status_code == 200 and offline.KEEP_HEADER not in sharing
    # The prompt on home is answered.
    assert b'id="h-own-device"' not in client.get(reverse("home")).content


def test_the_account_page_explains_and_turns_it_off(client, alice):
    page = client.get(reverse("accounts:account"))
    assert b"The risk: anyone who picks up this device could read that copy" in page.content
    declare(client)
    assert (
        b"Stop keeping my summary on this device" in client.get(reverse("accounts:account")).content
    )
    response = client.post(reverse("own_device"), {"keep": "off"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    home = client.get(reverse("home"))
    assert home[offline.KEEP_HEADER] == "drop"  # the worker deletes its copies
    assert b'id="h-own-device"' not in home.content  # answered « no »: not asked again


def test_someone_elses_answer_on_a_shared_browser_keeps_nothing(client, alice):
    declare(client)
    bob = people.citizen("Bob Durand", email="bob@example.org")
    client.force_login(bob)  # same browser, same cookie
    home = client.get(reverse("home"))
    assert home[offline.KEEP_HEADER] == "drop"
    assert b'id="h-own-device"' in home.content


def test_a_forged_answer_keeps_nothing(alice):
    client = people.english(Client())
    client.force_login(alice)
    client.cookies[offline.OWN_DEVICE_COOKIE] = f'{{"user": {alice.pk}, "own": true}}'
    assert client.get(reverse("home"))[offline.KEEP_HEADER] == "drop"


def test_an_answer_needs_a_choice(client, alice):
    response = client.post(reverse("own_device"), {"keep": "maybe"}, follow=True)
    assert b"Choose whether this device is yours." in response.content
    assert offline.OWN_DEVICE_COOKIE not in client.cookies


def test_it_goes_back_only_to_this_site(client, alice):
    response = client.post(reverse("own_device"), {"keep": "on", "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:account")


def test_a_relatives_pages_are_never_kept(client):
    henri = people.citizen("Henri Martin", email="henri@example.org")
    sophie = people.citizen("Sophie Martin", email="sophie@example.org")
    people.give(henri, people.pid_of(henri), sophie)
    people.english(client).force_login(sophie)
    declare(client)
    client.post(reverse("coffre:act_for", args=[people.pid_of(henri)]))
    page = client.get(reverse("reminders:index"))
    assert page.status_code == 200 and "Henri Martin" in page.content.decode()
    assert page.get(offline.KEEP_HEADER) is None  # neither kept, nor her own copy dropped
