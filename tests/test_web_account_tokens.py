"""API keys on the account page: create (shown once), list, revoke."""

import re

import pytest
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.accounts.models import AccessToken

from . import helpers


@pytest.fixture
def citizen(client):
    user = helpers.citizen("alice@example.org")
    client.force_login(user)
    return user


def test_it_creates_a_key_and_shows_it_once(client, citizen):
    response = client.post(reverse("accounts:token_create"), {"name": "Ma tablette"})
    assert response.status_code == 200
    html = response.content.decode()
    raw = re.search(r">(carnet_[^<]+)</textarea>", html).group(1)
    assert "affichée qu’une seule fois" in html
    token = AccessToken.objects.get(user=citizen)
    assert token.name == "Ma tablette"
    assert accounts.authenticate_token(raw) == citizen
    # Never again: the account page lists the key by its hint only.
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Ma tablette" in page and token.hint in page
    assert raw not in page


def test_it_asks_for_a_name(client, citizen):
    response = client.post(reverse("accounts:token_create"), {"name": "  "})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not AccessToken.objects.exists()


def test_it_revokes_a_key(client, citizen):
    token, raw = accounts.create_token(citizen, "app")
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert accounts.authenticate_token(raw) is None
    page = client.get(reverse("accounts:account")).content.decode()
    assert "La clé est révoquée" in page
    assert token.hint not in page


def test_it_cannot_revoke_someone_elses_key(client, citizen):
    bob = accounts.create_user("bob@example.org", "correct horse battery")
    token, raw = accounts.create_token(bob, "bob's app")
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert accounts.authenticate_token(raw) == bob


def test_it_refuses_revocation_by_get(client, citizen):
    token, raw = accounts.create_token(citizen, "app")
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert accounts.authenticate_token(raw) == citizen


def test_it_checks_csrf_on_creation(citizen):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen)
    assert strict.post(reverse("accounts:token_create"), {"name": "x"}).status_code == 403
    assert not AccessToken.objects.exists()
