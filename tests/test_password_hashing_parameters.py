"""Passwords are hashed with Argon2id at OWASP's parameters (issue 13, point 10); a hash
made with Django's heavier defaults is upgraded at its owner's next sign-in."""

import pytest
from argon2 import PasswordHasher
from django.test import Client, override_settings
from django.urls import reverse

import carnet.settings as carnet_settings
from carnet.accounts import services as accounts
from carnet.accounts.models import User

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
PASSWORD = "Tilleul-Garonne-Brique-31"
OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"


def test_new_hashes_use_argon2id_with_19_mib_2_iterations_1_lane():
    with override_settings(PASSWORD_HASHERS=carnet_settings.PASSWORD_HASHERS):
        user = accounts.create_user("h@example.org", PASSWORD)
        assert user.password.startswith("argon2" + OWASP), user.password[:40]
        assert user.check_password(PASSWORD)


def test_a_hash_with_djangos_old_parameters_still_works_and_is_upgraded_at_sign_in():
    old = "argon2" + PasswordHasher(time_cost=2, memory_cost=102400, parallelism=8).hash(PASSWORD)
    assert "m=102400,t=2,p=8" in old
    with override_settings(PASSWORD_HASHERS=carnet_settings.PASSWORD_HASHERS):
        user = accounts.create_user("old@example.org", None)
        User.objects.filter(pk=user.pk).update(password=old)
        response = Client().post(
            reverse("account_login"), {"login": "old@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert User.objects.get(pk=user.pk).password.startswith("argon2" + OWASP)
