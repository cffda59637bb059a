"""Accounts: citizens, practitioners, advisors and researchers — and no other role."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from carnet import settings as carnet_settings
from carnet.accounts import services
from carnet.accounts.models import Role, User
from carnet.vault import services as vault

from .people import list_in_directory

FORBIDDEN = ["bank", "insurer", "employer", "marketing", "assureur", "banque", "employeur"]


def test_the_four_roles_are_the_only_ones():
    assert {r.value for r in Role} == {"citizen", "practitioner", "advisor", "researcher"}


@pytest.mark.parametrize("role", FORBIDDEN)
def test_no_service_creates_a_forbidden_role(role):
    with pytest.raises(services.UnknownRole):
        services.create_user(f"{role}@example.org", "a long enough passphrase", role=role)
    assert not User.objects.filter(email=f"{role}@example.org").exists()


@pytest.mark.parametrize("role", FORBIDDEN)
def test_the_database_refuses_a_forbidden_role(role):
    user = services.create_user("x@example.org", "a long enough passphrase")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(role=role)
    assert User.objects.get(pk=user.pk).role == "citizen"


def test_a_citizen_gets_a_record_with_its_own_data_key():
    user = services.create_user("c@example.org", "a long enough passphrase")
    assert user.patient is not None
    assert vault.has_data_key(user.patient.pk)


def test_a_practitioner_needs_an_rpps_number_and_gets_no_record():
    with pytest.raises(ValidationError):
        services.create_user("dr@example.org", "a long enough passphrase", role="practitioner")
    list_in_directory("10001234567", profession="Médecin")
    dr = services.create_user(
        "dr@example.org",
        "a long enough passphrase",
        role="practitioner",
        rpps="10001234567",
        profession="Médecin généraliste",
    )
    assert dr.is_practitioner and services.patient_of(dr) is None


def test_only_practitioners_have_an_rpps_number():
    with pytest.raises(ValidationError):
        services.create_user(
            "a@example.org", "a long enough passphrase", role="advisor", rpps="10001234567"
        )


def test_passwords_are_hashed_with_argon2_in_production():
    assert carnet_settings.PASSWORD_HASHERS[0].endswith("Argon2idHasher")
    with override_settings(PASSWORD_HASHERS=carnet_settings.PASSWORD_HASHERS):
        user = services.create_user("h@example.org", "a long enough passphrase")
        assert user.password.startswith("argon2")
        assert user.check_password("a long enough passphrase")


def test_mfa_offers_totp_passkeys_and_recovery_codes():
    assert set(carnet_settings.MFA_SUPPORTED_TYPES) == {"totp", "webauthn", "recovery_codes"}
    assert carnet_settings.MFA_PASSKEY_LOGIN_ENABLED
