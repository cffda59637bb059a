"""Add an allergy: picked from the list (coded) or typed; saved as entered by the person."""

import pytest
from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records
from carnet.records.models import ResourceVersion, Source


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery", display_name="Alice")
    client.force_login(user)
    return user


def _allergies(user):
    patient = accounts.patient_of(user)
    return records.search(
        Actor.of_user(user), patient.pk, "AllergyIntolerance", Purpose.SELF
    ).resources


def test_it_shows_the_form_with_the_list_of_allergens(client, alice):
    response = client.get(reverse("records:entry_add", args=["allergie"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="303300008"' in html  # egg protein, from the French value set
    assert 'lang="fr"' in html


def test_it_adds_an_allergy_picked_from_the_list(client, alice):
    response = client.post(
        reverse("records:entry_add", args=["allergie"]),
        {"substance": "764146007", "kind": "allergy", "reaction": "urticaire", "serious": "on"},
    )
    assert response.status_code == 302
    [allergy] = _allergies(alice)
    assert allergy["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "764146007",
        "display": "pénicilline",
    }
    assert allergy["criticality"] == "high"
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "urticaire"
    assert allergy["asserter"]["reference"].startswith("Patient/")
    row = ResourceVersion.objects.get(resource_type="AllergyIntolerance", is_current=True)
    assert row.source == Source.SELF and row.recorded_by_id == alice.pk
    assert AuditEntry.objects.filter(action="create", resource_type="AllergyIntolerance").exists()
    # On the home page at once.
    assert "pénicilline" in client.get(reverse("home")).content.decode()


def test_it_adds_an_allergy_typed_in_plain_words(client, alice):
    client.post(
        reverse("records:entry_add", args=["allergie"]),
        {"substance": "other", "other": "kiwi", "kind": "intolerance"},
    )
    [allergy] = _allergies(alice)
    assert allergy["code"] == {"text": "kiwi"} and allergy["type"] == "intolerance"


def test_it_asks_what_when_something_else_is_chosen_without_a_name(client, alice):
    response = client.post(
        reverse("records:entry_add", args=["allergie"]), {"substance": "other", "kind": "allergy"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert _allergies(alice) == []
