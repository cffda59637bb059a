"""Downloading one's record from the web: FHIR JSON or ZIP, with a name that says nothing,
after the person confirmed who they are (their password, or their code app if they have one)."""

import io
import json
import time
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from django.core.cache import cache
from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports

from . import helpers
from .people import PASSWORD, confirmed, practitioner_account

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:p1",
            "resource": {
                "resourceType": "Patient",
                "name": [{"family": "Martin", "given": ["Alice"]}],
            },
        },
        {
            "fullUrl": "urn:uuid:c1",
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Diabète de type 2"},
                "subject": {"reference": "urn:uuid:p1"},
            },
        },
    ],
}


SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def signed_in(client):
    """A citizen with a record, signed in but not (yet) confirmed."""
    cache.clear()  # rate limits and used TOTP codes live in the cache
    user = helpers.citizen("alice.martin@example.org")
    patient = accounts.patient_of(user)
    imports.import_bundle(Actor.of_user(user), BUNDLE, patient_id=patient.pk, purpose=Purpose.SELF)
    client.force_login(user)
    return user


@pytest.fixture
def citizen(client, signed_in):
    """Signed in and confirmed with the password just now."""
    confirmed(client, signed_in)
    return signed_in


def _exports(user) -> int:
    return AuditEntry.objects.filter(
        patient_id=accounts.patient_of(user).pk, action="export"
    ).count()


def _code() -> str:
    return f"{hotp_value(SECRET, int(time.time()) // 30):06d}"


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return disposition.split("filename=")[1].strip('"')


def _assert_says_nothing(name: str):
    for word in ("alice", "martin", "diab", "@"):
        assert word not in name.lower()


def test_it_shows_the_two_formats(client, citizen):
    html = client.get(reverse("records:export")).content.decode()
    assert "Télécharger l’archive ZIP" in html and "Télécharger le fichier FHIR (JSON)" in html


def test_it_downloads_the_fhir_bundle(client, citizen):
    response = client.post(reverse("records:export"), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    name = _filename(response)
    assert name.startswith("carnet-") and name.endswith(".json")
    _assert_says_nothing(name)
    bundle = json.loads(response.content)
    types = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert types == ["Condition", "Patient"]
    assert response["Cache-Control"] == "no-store"


def test_it_downloads_the_zip(client, citizen):
    response = client.post(reverse("records:export"), {"format": "zip"})
    assert response.status_code == 200
    name = _filename(response)
    assert name.endswith(".zip")
    _assert_says_nothing(name)
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert "record.json" in zf.namelist()


def test_it_asks_for_a_format(client, citizen):
    response = client.post(reverse("records:export"), {"format": "pdf"})
    assert response.status_code == 400
    assert "Choisissez l’un des deux formats" in response.content.decode()


def test_it_tells_a_practitioner_there_is_no_record(client):
    doctor = practitioner_account(
        "dr@example.org", "correct horse battery", role="practitioner", rpps="10101010101"
    )
    client.force_login(doctor)
    response = client.post(reverse("records:export"), {"format": "json"})
    assert response.status_code == 200
    assert "Pas de dossier à votre nom" in response.content.decode()


def test_without_confirming_it_asks_for_the_password_and_exports_nothing(client, signed_in):
    # Signing in is not enough: a session left open on a shared computer must not be.
    page = client.get(reverse("records:export"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    for kind in ("json", "zip"):
        response = client.post(reverse("records:export"), {"format": kind})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        assert "Content-Disposition" not in response
    assert _exports(signed_in) == 0


def test_a_wrong_password_exports_nothing(client, signed_in):
    client.post(reverse("records:export"), {"format": "json"})
    response = client.post(reverse("account_reauthenticate"), {"password": "not my password"})
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert _exports(signed_in) == 0


def test_the_download_asked_before_confirming_goes_through_after(client, signed_in):
    asked = client.post(reverse("records:export"), {"format": "json"})
    response = client.post(asked["Location"], {"password": PASSWORD})
    assert response.status_code == 200
    assert _filename(response).endswith(".json")
    assert _exports(signed_in) == 1


def test_with_a_code_app_the_code_is_asked_not_the_password(client, signed_in):
    Authenticator.objects.create(
        user=signed_in, type=Authenticator.Type.TOTP, data={"secret": SECRET}
    )
    asked = client.post(reverse("records:export"), {"format": "zip"})
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("mfa_reauthenticate"))
    # The password alone does not do for a person who has a second factor.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    again = client.post(reverse("records:export"), {"format": "zip"})
    assert again["Location"].startswith(reverse("mfa_reauthenticate"))
    assert _exports(signed_in) == 0

    wrong = client.post(again["Location"], {"code": "000000" if _code() != "000000" else "111111"})
    assert wrong.status_code == 200 and "Content-Disposition" not in wrong
    response = client.post(again["Location"], {"code": _code()})
    assert response.status_code == 200
    assert _filename(response).endswith(".zip")
    assert _exports(signed_in) == 1
    # Confirmed for a few minutes: the other format downloads at once.
    assert client.post(reverse("records:export"), {"format": "json"}).status_code == 200


def test_the_fhir_api_with_a_token_is_not_asked_to_confirm(client, signed_in):
    # A personal token is its own proof; $everything answers without any session at all.
    _token, raw = accounts.create_token(signed_in, "app")
    client.logout()
    patient = client.get("/fhir/R4/Patient", headers={"Authorization": f"Bearer {raw}"}).json()[
        "entry"
    ][0]["resource"]["id"]
    response = client.get(
        f"/fhir/R4/Patient/{patient}/$everything", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    types = sorted(e["resource"]["resourceType"] for e in response.json()["entry"])
    assert types == ["Condition", "Patient"]
