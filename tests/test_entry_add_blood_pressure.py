"""Add a blood-pressure measurement: plausible values saved in LOINC; bad values refused."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records
from carnet.records.models import ResourceVersion

URL = ("records:entry_add", ["tension"])


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


def _post(client, **values):
    return client.post(reverse(URL[0], args=URL[1]), {"when": "2025-02-03T08:30", **values})


def test_it_adds_a_blood_pressure(client, alice):
    assert _post(client, systolic="128", diastolic="82").status_code == 302
    patient = accounts.patient_of(alice)
    [obs] = records.search(Actor.of_user(alice), patient.pk, "Observation", Purpose.SELF).resources
    assert obs["code"]["coding"][0]["code"] == "85354-9"
    assert obs["category"][0]["coding"][0]["code"] == "vital-signs"
    values = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in obs["component"]}
    assert values["8480-6"]["value"] == 128 and values["8462-4"]["value"] == 82
    assert values["8480-6"]["code"] == "mm[Hg]"
    assert "128/82" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "values",
    [
        {"systolic": "12", "diastolic": "8"},  # typed in cmHg
        {"systolic": "82", "diastolic": "128"},  # swapped
        {"systolic": "abc", "diastolic": "80"},
        {"systolic": "128"},
        {"systolic": "400", "diastolic": "80"},
    ],
)
def test_it_refuses_bad_values_and_saves_nothing(client, alice, values):
    response = _post(client, **values)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist"' in html and 'role="alert"' in html
    assert not ResourceVersion.objects.filter(resource_type="Observation").exists()


def test_a_weight_in_grams_is_refused(client, alice):
    response = client.post(
        reverse("records:entry_add", args=["poids"]), {"value": "72000", "when": "2025-02-03T08:30"}
    )
    assert response.status_code == 400
    ok = client.post(
        reverse("records:entry_add", args=["poids"]), {"value": "72,5", "when": "2025-02-03T08:30"}
    )
    assert ok.status_code == 302
