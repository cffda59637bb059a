"""Closing one's account from the web: explained, confirmed twice (who they are, then a
typed word), then crypto-shredded."""

import time
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from django.core.cache import cache
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, User
from carnet.records import imports
from carnet.records.models import ResourceVersion
from carnet.vault import services as vault

from . import helpers
from .people import PASSWORD, confirmed, practitioner_account

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient"}}],
}


SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def signed_in(client):
    """A citizen with a record, signed in but not (yet) confirmed."""
    cache.clear()  # the rate limits and used codes live in the cache
    user = helpers.citizen("alice@example.org")
    patient = accounts.patient_of(user)
    imports.import_bundle(Actor.of_user(user), BUNDLE, patient_id=patient.pk, purpose=Purpose.SELF)
    client.force_login(user)
    return user


@pytest.fixture
def citizen(client, signed_in):
    """Signed in and confirmed with the password just now."""
    confirmed(client, signed_in)
    return signed_in


def _untouched(user) -> bool:
    patient_id = accounts.patient_of(user).pk
    return (
        User.objects.filter(pk=user.pk).exists()
        and vault.has_data_key(patient_id)
        and ResourceVersion.objects.filter(patient_id=patient_id).exists()
    )


def test_it_explains_what_will_happen(client, citizen):
    html = client.get(reverse("accounts:close")).content.decode()
    assert "La clé qui protège vos données de santé est détruite" in html
    assert "anciennes copies de sauvegarde" in html
    assert "sans votre nom" in html
    assert "Tapez le mot FERMER pour confirmer" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"confirm": "oui"}, "Tapez le mot FERMER tel qu’il est écrit"),
        ({"confirm": ""}, "Ce champ est obligatoire."),
    ],
)
def test_it_changes_nothing_without_the_typed_word(client, citizen, data, message):
    response = client.post(reverse("accounts:close"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _untouched(citizen)


def test_without_confirming_it_asks_for_the_password_and_erases_nothing(client, signed_in):
    # Signing in is not enough: a session left open on a shared computer must not be.
    page = client.get(reverse("accounts:close"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(reverse("accounts:close"), {"confirm": "FERMER"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    wrong = client.post(response["Location"], {"password": "wrong password"})
    assert wrong.status_code == 200
    assert "Mot de passe incorrect" in wrong.content.decode()
    assert _untouched(signed_in)


def test_the_closing_asked_before_confirming_goes_through_after(client, signed_in):
    asked = client.post(reverse("accounts:close"), {"confirm": "FERMER"})
    done = client.post(asked["Location"], {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("goodbye")
    assert not User.objects.filter(pk=signed_in.pk).exists()


def test_a_confirmation_lasts_only_a_few_minutes(client, citizen, monkeypatch):
    from carnet.accounts import reauth

    later = time.time() + 301
    monkeypatch.setattr(reauth, "time", SimpleNamespace(time=lambda: later))
    response = client.post(reverse("accounts:close"), {"confirm": "FERMER"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert _untouched(citizen)


def test_with_a_code_app_the_code_is_asked(client, signed_in):
    Authenticator.objects.create(
        user=signed_in, type=Authenticator.Type.TOTP, data={"secret": SECRET}
    )
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    asked = client.post(reverse("accounts:close"), {"confirm": "FERMER"})
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("mfa_reauthenticate"))
    assert _untouched(signed_in)
    code = f"{hotp_value(SECRET, int(time.time()) // 30):06d}"
    done = client.post(asked["Location"], {"code": code})
    assert done.status_code == 302 and done["Location"] == reverse("goodbye")
    assert not User.objects.filter(pk=signed_in.pk).exists()


def test_it_erases_everything_and_signs_out(client, citizen):
    patient_id = accounts.patient_of(citizen).pk
    response = client.post(reverse("accounts:close"), {"confirm": "fermer"})
    assert response.status_code == 302
    assert response["Location"] == reverse("goodbye")
    assert not vault.has_data_key(patient_id)
    assert not ResourceVersion.objects.filter(patient_id=patient_id).exists()
    assert not Patient.objects.filter(pk=patient_id).exists()
    assert not User.objects.filter(pk=citizen.pk).exists()
    goodbye = client.get(response["Location"]).content.decode()
    assert "Votre compte est fermé" in goodbye
    # Signed out: the record pages now ask to sign in; the home page is the front door.
    assert client.get(reverse("records:summary")).status_code == 302
    assert "Créer mon carnet" in client.get(reverse("home")).content.decode()


def test_it_accepts_the_english_word_in_english(client, citizen):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:close"), {"confirm": "CLOSE"})
    assert response.status_code == 302
    assert "Your account is closed" in client.get(reverse("goodbye")).content.decode()


def test_it_sends_a_practitioner_to_the_operator(client):
    doctor = practitioner_account(
        "dr@example.org", PASSWORD, role="practitioner", rpps="10101010101"
    )
    client.force_login(doctor)
    html = client.post(reverse("accounts:close"), {"confirm": "FERMER"})
    assert "adressez-vous à l’équipe qui gère Carnet" in html.content.decode()
    assert User.objects.filter(pk=doctor.pk).exists()


def test_it_slows_down_password_guessing(client, signed_in):
    # The sign-in delays (carnet.accounts.throttle: after 3 failures on an account, each
    # try waits a growing delay) and allauth's 10 tries a minute on this page.
    asked = client.post(reverse("accounts:close"), {"confirm": "FERMER"})
    for _ in range(3):
        response = client.post(asked["Location"], {"password": "guess"})
        assert "Mot de passe incorrect" in response.content.decode()
    for _ in range(2):
        response = client.post(asked["Location"], {"password": "guess"})
        assert "Trop de tentatives" in response.content.decode()
    response = client.post(asked["Location"], {"password": PASSWORD})
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    for _ in range(4):
        client.post(asked["Location"], {"password": PASSWORD})
    assert client.post(asked["Location"], {"password": PASSWORD}).status_code == 429
    assert _untouched(signed_in)
