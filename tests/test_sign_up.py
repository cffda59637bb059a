"""Signing up: the same answer whether the address has an account or not, the address
confirmed by an emailed link before the account holds anything, passwords that are hard
to guess (issue 13, point 9). Real SMTP on loopback."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, User

from .loopback import LoopbackSmtp

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "Tilleul-Garonne-Brique-31"
LINK = re.compile(r"https://carnet\.example\.org(/accounts/confirm-email/[^\s/]+/)")


@pytest.fixture
def smtp(settings):
    server = LoopbackSmtp().start().use_in(settings)
    settings.CARNET_SITE_URL = "https://carnet.example.org"
    yield server
    server.stop()


@pytest.fixture
def alice():
    return accounts.create_user("alice@example.org", "correct horse battery")


def sign_up(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


def page(client: Client, response) -> str:
    html = client.get(response["Location"]).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r'content="[0-9a-f-]{36}"|[0-9a-f]{32}', "ID", html)


def test_a_known_and_a_new_address_get_the_same_answer(smtp, alice):
    known_client, new_client = Client(), Client()
    known = sign_up(known_client, "alice@example.org")
    new = sign_up(new_client, "bob@example.org")
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    assert "Un autre utilisateur utilise déjà cette adresse" not in page(known_client, known)
    a, b = page(known_client, known), page(new_client, new)
    import difflib

    assert a == b, "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))
    # The owner of the known address is told by email; their account is unchanged.
    mails = {m["to"][0]: m for m in smtp.received}
    assert set(mails) == {"alice@example.org", "bob@example.org"}
    assert "existe déjà" in mails["alice@example.org"]["text"]
    assert not LINK.search(mails["alice@example.org"]["text"])
    assert User.objects.get(email="alice@example.org").check_password("correct horse battery")


def test_the_account_holds_nothing_and_cannot_sign_in_before_the_link_is_opened(smtp):
    client = Client()
    sign_up(client, "bob@example.org")
    bob = User.objects.get(email="bob@example.org")
    assert not Patient.objects.filter(owner=bob).exists()
    assert not EmailAddress.objects.get(user=bob).verified
    # Signing in is answered "confirm your address first"; it opens nothing.
    fresh = Client()
    response = fresh.post(
        reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in fresh.session
    assert fresh.get(reverse("records:summary")).status_code == 302
    assert response.status_code in (200, 302)

    [path] = {LINK.search(m["text"]).group(1) for m in smtp.received if LINK.search(m["text"])}
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=bob).verified
    assert Patient.objects.filter(owner=bob).count() == 1  # the record space, now
    assert client.get(reverse("home")).status_code == 200  # signed in by the link


def test_a_wrong_link_confirms_nothing(smtp):
    client = Client()
    sign_up(client, "bob@example.org")
    client.post("/accounts/confirm-email/not-a-real-key/")
    assert not EmailAddress.objects.filter(verified=True).exists()
    assert not Patient.objects.exists()


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "123456789012"])
def test_easy_to_guess_passwords_are_refused_with_advice_in_plain_french(smtp, weak):
    response = sign_up(Client(), "bob@example.org", weak)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["password1"])
    assert "trop facile à deviner" in errors
    assert "phrase" in errors  # what to do instead
    assert not User.objects.filter(email="bob@example.org").exists()
    assert smtp.received == []


def test_accounts_made_by_the_operator_sign_in_at_once(alice):
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "alice@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
