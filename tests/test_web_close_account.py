"""Closing one's account from the web: explained, confirmed twice, then crypto-shredded."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import Patient, User
from carnet.records import imports
from carnet.records.models import ResourceVersion
from carnet.vault import services as vault

PASSWORD = "correct horse battery"
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient"}}],
}


@pytest.fixture
def citizen(client):
    cache.clear()  # the rate limits live in the cache
    user = accounts.create_user("alice@example.org", PASSWORD)
    patient = accounts.patient_of(user)
    imports.import_bundle(Actor.of_user(user), BUNDLE, patient_id=patient.pk, purpose=Purpose.SELF)
    client.force_login(user)
    return user


def test_it_explains_what_will_happen(client, citizen):
    html = client.get(reverse("accounts:close")).content.decode()
    assert "La clé qui protège vos données de santé est détruite" in html
    assert "anciennes copies de sauvegarde" in html
    assert "sans votre nom" in html
    assert "Tapez le mot FERMER pour confirmer" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"confirm": "oui", "password": PASSWORD}, "Tapez le mot FERMER tel qu’il est écrit"),
        ({"confirm": "FERMER", "password": "wrong password"}, "Ce n’est pas votre mot de passe"),
        ({"confirm": "", "password": ""}, "Ce champ est obligatoire."),
    ],
)
def test_it_changes_nothing_without_both_confirmations(client, citizen, data, message):
    patient_id = accounts.patient_of(citizen).pk
    response = client.post(reverse("accounts:close"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.filter(pk=citizen.pk).exists()
    assert vault.has_data_key(patient_id)
    assert ResourceVersion.objects.filter(patient_id=patient_id).exists()


def test_it_erases_everything_and_signs_out(client, citizen):
    patient_id = accounts.patient_of(citizen).pk
    response = client.post(reverse("accounts:close"), {"confirm": "fermer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("goodbye")
    assert not vault.has_data_key(patient_id)
    assert not ResourceVersion.objects.filter(patient_id=patient_id).exists()
    assert not Patient.objects.filter(pk=patient_id).exists()
    assert not User.objects.filter(pk=citizen.pk).exists()
    goodbye = client.get(response["Location"]).content.decode()
    assert "Votre compte est fermé" in goodbye
    # Signed out: the record pages now ask to sign in.
    assert client.get(reverse("home")).status_code == 302


def test_it_accepts_the_english_word_in_english(client, citizen):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:close"), {"confirm": "CLOSE", "password": PASSWORD})
    assert response.status_code == 302
    assert "Your account is closed" in client.get(reverse("goodbye")).content.decode()


def test_it_sends_a_practitioner_to_the_operator(client):
    doctor = accounts.create_user(
        "dr@example.org", PASSWORD, role="practitioner", rpps="10101010101"
    )
    client.force_login(doctor)
    html = client.post(reverse("accounts:close"), {"confirm": "FERMER", "password": PASSWORD})
    assert "adressez-vous à l’équipe qui gère Carnet" in html.content.decode()
    assert User.objects.filter(pk=doctor.pk).exists()


def test_it_slows_down_password_guessing(client, citizen):
    for _ in range(10):
        response = client.post(
            reverse("accounts:close"), {"confirm": "FERMER", "password": "guess"}
        )
        assert response.status_code == 400
    response = client.post(reverse("accounts:close"), {"confirm": "FERMER", "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert User.objects.filter(pk=citizen.pk).exists()
