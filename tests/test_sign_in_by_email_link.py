"""The owner's way in without a password: a sign-in link (and code) sent by email, short-
lived and single use, that works even while failed attempts are being slowed down
(issue 13, point 9). allauth's login by code, with the code carried by the link."""

import re

import pytest
from allauth.account.internal.flows import code_verification
from django.test import Client
from django.urls import reverse

from carnet.accounts import services as accounts

from .loopback import LoopbackSmtp

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
LINK = re.compile(r"https://carnet\.example\.org(/accounts/login/code/confirm/\?code=(\S+))")


@pytest.fixture
def smtp(settings):
    server = LoopbackSmtp().start().use_in(settings)
    settings.CARNET_SITE_URL = "https://carnet.example.org"
    yield server
    server.stop()


@pytest.fixture
def alice():
    return accounts.create_user("alice@example.org", "correct horse battery")


def ask_for_link(client: Client, email: str = "alice@example.org"):
    return client.post(reverse("account_request_login_code"), {"email": email})


def link_in(mail) -> tuple[str, str]:
    found = LINK.search(mail["text"])
    assert found, mail["text"]
    return found.group(1), found.group(2)


def test_the_emailed_link_signs_the_owner_in_once(smtp, alice):
    client = Client()
    assert ask_for_link(client).status_code == 302
    [mail] = smtp.received
    assert mail["to"] == ["alice@example.org"]
    path, code = link_in(mail)
    assert code in mail["text"].replace(path, "")  # the code is also there, to type
    assert "5 minutes" in mail["text"]

    page = client.get(path)
    assert page.status_code == 200
    assert f'value="{code}"' in page.content.decode()  # the link filled the code in
    assert "_auth_user_id" not in client.session  # a GET never signs in
    response = client.post(path.split("?")[0], {"code": code})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    client.post(reverse("account_logout"))
    again = client.post(path.split("?")[0], {"code": code})  # single use
    assert "_auth_user_id" not in client.session
    assert again.status_code == 302 and again["Location"] == reverse("account_request_login_code")


def test_the_link_expires_after_five_minutes(smtp, alice, monkeypatch):
    import time

    client = Client()
    ask_for_link(client)
    path, code = link_in(smtp.received[0])
    start = time.time()
    monkeypatch.setattr(code_verification.time, "time", lambda: start + 5 * 60 + 1)
    client.post(path.split("?")[0], {"code": code})
    assert "_auth_user_id" not in client.session


def test_it_works_while_password_guesses_are_slowed_down(smtp, alice):
    for i in range(6):
        Client(REMOTE_ADDR=f"198.51.100.{i}").post(
            reverse("account_login"), {"login": "alice@example.org", "password": "guess guess 1"}
        )
    client = Client()
    ask_for_link(client)
    path, code = link_in(smtp.received[0])
    client.post(path.split("?")[0], {"code": code})
    assert "_auth_user_id" in client.session


def test_an_unknown_address_gets_the_same_answer_and_no_link(smtp, alice):
    known, unknown = Client(), Client()
    a = ask_for_link(known, "alice@example.org")
    b = ask_for_link(unknown, "nobody@example.org")
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"])
    by_to = {m["to"][0]: m for m in smtp.received}
    assert not LINK.search(by_to.get("nobody@example.org", {"text": ""})["text"])
