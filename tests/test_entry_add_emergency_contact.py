"""Add an emergency contact: kept in the person's Patient resource (Patient.contact)."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


def _patient(user):
    patient = accounts.patient_of(user)
    return records.search(Actor.of_user(user), patient.pk, "Patient", Purpose.SELF).resources


def test_it_adds_two_contacts_to_the_patient_resource(client, alice):
    url = reverse("records:entry_add", args=["contact"])
    assert (
        client.post(
            url, {"name": "Sophie Esquirol", "relation": "DAU", "phone": "06 12 34 56 78"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            url, {"name": "Paul Voisin", "relation": "NBOR", "phone": "+33 5 61 00 00 00"}
        ).status_code
        == 302
    )
    [patient] = _patient(alice)
    assert [c["name"]["text"] for c in patient["contact"]] == ["Sophie Esquirol", "Paul Voisin"]
    first = patient["contact"][0]
    assert first["relationship"][0]["coding"][0]["code"] == "C"
    assert first["relationship"][1]["coding"][0]["code"] == "DAU"
    assert first["telecom"][0] == {"system": "phone", "value": "06 12 34 56 78", "use": "mobile"}
    # Versioned: the old Patient resource stays in its history.
    patient_id = accounts.patient_of(alice).pk
    history = records.history(Actor.of_user(alice), "Patient", patient["id"], Purpose.SELF)
    assert len(history) == 3 and patient_id  # empty, one contact, two
    assert "Sophie Esquirol" in client.get(reverse("records:entry_index")).content.decode()


def test_it_refuses_a_wrong_phone_number(client, alice):
    response = client.post(
        reverse("records:entry_add", args=["contact"]),
        {"name": "X", "relation": "FRND", "phone": "appelle-moi"},
    )
    assert response.status_code == 400
    assert not any(p.get("contact") for p in _patient(alice))
