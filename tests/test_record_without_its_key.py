"""A record whose data key is not in the key store (a main-database backup restored without
its FILE.keystore) answers a clear, translated message in the pages and an OperationOutcome
in the FHIR API: never a 500, and nothing is changed."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records
from carnet.records.models import ResourceVersion
from carnet.vault import services as vault
from carnet.vault.models import DataKey

from .fhir_api import import_into


@pytest.fixture
def lea(client):
    user = accounts.create_user("lea@example.org", "a long enough passphrase", language="fr")
    pid = import_into(user)
    item = ResourceVersion.objects.filter(
        patient_id=pid, is_current=True, resource_type="Observation"
    ).first()
    _token, raw = accounts.create_token(user, "api")
    DataKey.objects.filter(patient_id=pid).delete()  # restored without the key store
    vault.forget_cached_key()
    client.force_login(user)
    return user, pid, item.fhir_id, {"Authorization": f"Bearer {raw}"}


def test_the_pages_say_the_record_cannot_be_read_in_french_and_english(client, lea):
    _user, pid, item, _auth = lea
    before = ResourceVersion.objects.filter(patient_id=pid).count()
    for url in (reverse("home"), reverse("records:item", args=[item]), reverse("records:summary")):
        response = client.get(url)
        assert response.status_code == 503, url
        html = response.content.decode()
        assert "Votre dossier ne peut pas être lu pour le moment" in html
        assert "clé de chiffrement" in html
        assert response["Retry-After"]
    client.cookies["django_language"] = "en"
    html = client.get(reverse("records:timeline")).content.decode()
    assert "Your record cannot be read at the moment" in html
    assert ResourceVersion.objects.filter(patient_id=pid).count() == before


def test_the_fhir_api_answers_an_operation_outcome(client, lea):
    _user, pid, item, auth = lea
    for url in (
        f"/fhir/R4/Observation/{item}",
        "/fhir/R4/Observation",
        f"/fhir/R4/Observation/{item}/_history",
    ):
        response = client.get(url, headers=auth)
        assert response.status_code == 503, (url, response.content)
        assert response["Content-Type"].startswith("application/fhir+json")
        oo = response.json()
        assert oo["resourceType"] == "OperationOutcome"
        assert oo["issue"][0]["code"] == "no-store"
        assert "data key" in oo["issue"][0]["diagnostics"]
    schema = client.get("/api/openapi.json").json()
    read = schema["paths"]["/fhir/R4/{resource_type}/{resource_id}"]["get"]
    assert "503" in read["responses"]


def test_the_services_still_say_key_destroyed(lea):
    user, pid, _item, _auth = lea
    with pytest.raises(vault.KeyDestroyed):
        records.search(Actor.of_user(user), pid, "Observation", Purpose.SELF)
