"""Accounts the operator made before addresses had to be confirmed still sign in after the
upgrade (migration accounts 0003); a sign-up address that was never confirmed is asked
to be confirmed first."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.test import Client
from django.urls import reverse

from carnet.accounts import services as accounts

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "correct horse battery"
MIGRATION = importlib.import_module(
    "carnet.accounts.migrations.0003_accounts_operator_addresses_verified"
)


def signs_in(email: str) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_operator_accounts_get_a_confirmed_address_and_sign_ups_keep_theirs():
    operator_made = accounts.create_user("alice@example.org", PASSWORD)
    signed_up = accounts.create_user("bob@example.org", PASSWORD)
    placeholder = accounts.create_unclaimed_citizen().owner
    EmailAddress.objects.filter(user=operator_made).delete()  # as before the upgrade
    EmailAddress.objects.filter(user=signed_up).update(verified=False)

    MIGRATION.confirm_operator_addresses(apps, None)

    assert EmailAddress.objects.get(user=operator_made).verified
    assert not EmailAddress.objects.get(user=signed_up).verified
    assert not EmailAddress.objects.filter(user=placeholder).exists()
    assert signs_in("alice@example.org")
    assert not signs_in("bob@example.org")
