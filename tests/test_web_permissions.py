"""Every page: signed-out visitors are sent to sign in; another person sees nothing of mine."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports

JOB = "0123456789abcdef0123456789abcdef"
# Signed out, home is the front door (tests/test_front_door.py); every other page is private.
PRIVATE_PAGES = [
    ("get", reverse("accounts:account")),
    ("post", reverse("accounts:profile")),
    ("post", reverse("accounts:token_create")),
    ("post", reverse("accounts:token_revoke", args=[1])),
    ("get", reverse("accounts:close")),
    ("post", reverse("accounts:close")),
    ("get", reverse("records:import")),
    ("post", reverse("records:import")),
    ("get", reverse("records:import_job", args=[JOB])),
    ("get", reverse("records:import_status", args=[JOB])),
    ("get", reverse("records:export")),
    ("post", reverse("records:export")),
    ("get", reverse("mfa_index")),
    ("get", reverse("mfa_activate_totp")),
    ("get", reverse("mfa_list_webauthn")),
    ("get", reverse("mfa_view_recovery_codes")),
    ("get", reverse("account_change_password")),
]
PUBLIC_PAGES = [
    reverse("account_login"),
    reverse("account_signup"),
    reverse("account_reset_password"),
    reverse("goodbye"),
]
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:p",
            "resource": {"resourceType": "Patient", "name": [{"family": "Secretname"}]},
        },
        {
            "fullUrl": "urn:uuid:c",
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Secretcondition"},
                "subject": {"reference": "urn:uuid:p"},
            },
        },
    ],
}


@pytest.mark.parametrize("method, url", PRIVATE_PAGES)
def test_it_sends_signed_out_visitors_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_shows_public_pages_to_everyone(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "carnet.css" in response.content.decode()


def test_another_citizen_sees_nothing_of_mine(client):
    HUEY.immediate = True
    try:
        alice = accounts.create_user("alice@example.org", "correct horse battery")
        patient = accounts.patient_of(alice)
        imports.import_bundle(
            Actor.of_user(alice), BUNDLE, patient_id=patient.pk, purpose=Purpose.SELF
        )
        token, raw = accounts.create_token(alice, "Alicetoken")
        client.force_login(alice)
        upload = SimpleUploadedFile("x.json", json.dumps(BUNDLE).encode(), "application/json")
        job_url = client.post(reverse("records:import"), {"file": upload})["Location"]
    finally:
        HUEY.immediate = False

    bob = accounts.create_user("bob@example.org", "correct horse battery")
    other = Client()
    other.force_login(bob)
    seen = ""
    for method, url in PRIVATE_PAGES:
        if "mfa" in url or "password" in url:
            continue
        response = getattr(other, method)(url)
        assert response.status_code in (200, 302, 400, 404, 405), url
        seen += response.content.decode(errors="replace")
    for url in (job_url, job_url + "etat/"):
        assert other.get(url).status_code == 404
    assert other.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    exported = other.post(reverse("records:export"), {"format": "json"}).content.decode()
    seen += exported
    for secret in ("Secretname", "Secretcondition", "Alicetoken", "alice@example.org", raw[:12]):
        assert secret not in seen
    assert accounts.authenticate_token(raw) == alice
    assert "Votre dossier est vide" in other.get(reverse("home")).content.decode()
