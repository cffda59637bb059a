"""Practitioners, advisors and researchers must set up two-step sign-in; citizens may."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from carnet.accounts import services as accounts

from .people import practitioner_account

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its per-address sign-in counters in the cache, across tests.
    cache.clear()
    yield
    cache.clear()


PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.CARNET_REQUIRE_MFA = True


def make(role: str):
    if role == "practitioner":
        return practitioner_account(f"{role}@example.org", PASSWORD, rpps="10001234567")
    return accounts.create_user(f"{role}@example.org", PASSWORD, role=role)


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", ["practitioner", "advisor", "researcher"])
@pytest.mark.parametrize("url", ["home", "accounts:account", "coffre:pro_patients"])
def test_without_a_second_factor_they_are_sent_to_set_it_up(client, role, url):
    user = make(role)
    sign_in(client, user)
    response = client.get(reverse(url))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


@pytest.mark.parametrize("role", ["practitioner", "advisor", "researcher"])
def test_the_set_up_pages_and_sign_out_stay_open(client, role):
    sign_in(client, make(role))
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code in (200, 302)  # 302: allauth asks for the password again
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/")
    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:account")).status_code == 302


@pytest.mark.parametrize("kind", [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
def test_with_a_second_factor_they_go_in(client, kind):
    user = make("practitioner")
    Authenticator.objects.create(user=user, type=kind, data={})
    client.force_login(user)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(client):
    user = make("advisor")
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    client.force_login(user)
    assert client.get(reverse("accounts:account")).status_code == 302


def test_citizens_are_offered_it_not_forced(client):
    user = make("citizen")
    client.force_login(user)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    assert reverse("mfa_activate_totp") in response.content.decode()
    assert reverse("mfa_list_webauthn") in response.content.decode()


def test_the_requirement_can_be_switched_off(client, settings):
    settings.CARNET_REQUIRE_MFA = False
    client.force_login(make("practitioner"))
    assert client.get(reverse("accounts:account")).status_code == 200


def test_anonymous_visitors_are_not_affected(client):
    assert client.get(reverse("account_login")).status_code == 200
