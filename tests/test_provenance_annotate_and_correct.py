"""The person annotates any item of their record and corrects their own entries; every
change is a new version and the history stays readable."""

from __future__ import annotations

import html as html_module

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services

from .timeline import make_record


@pytest.fixture
def karim():
    return make_record()


def _mine(user, pid) -> str:
    return services.create(
        Actor.of_user(user),
        pid,
        {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [{"system": "http://loinc.org", "code": "29463-7"}],
                "text": "Poids",
            },
            "effectiveDateTime": "2099-01-01",
            "valueQuantity": {"value": 88, "unit": "kg"},
        },
        Purpose.SELF,
    )["id"]


def test_i_annotate_an_imported_result_and_keep_its_history(client, karim):
    user, pid, ids = karim
    client.force_login(user)
    url = reverse("records:item_annotate", args=[ids["a1"]])
    response = client.post(url, {"text": "J'étais malade ce jour-là."})
    assert response.status_code == 302
    versions = services.provenance(Actor.of_user(user), pid, ids["a1"], Purpose.SELF)
    assert [v.version for v in versions] == [2, 1]
    note = versions[0].resource["note"][-1]
    assert note["text"] == "J'étais malade ce jour-là." and note["authorReference"]
    assert "note" not in versions[1].resource
    html = html_module.unescape(
        client.get(reverse("records:item", args=[ids["a1"]])).content.decode()
    )
    assert "J'étais malade ce jour-là." in html
    assert 'id="h-history"' in html
    # The result still says it came from the imported file, first.
    assert html.index("dmp.json") < html.index('id="h-history"')


def test_an_empty_note_is_refused_and_changes_nothing(client, karim):
    user, pid, ids = karim
    client.force_login(user)
    response = client.post(reverse("records:item_annotate", args=[ids["a1"]]), {"text": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    versions = services.provenance(Actor.of_user(user), pid, ids["a1"], Purpose.SELF)
    assert len(versions) == 1


def test_i_correct_my_own_entry(client, karim):
    user, pid, _ids = karim
    item = _mine(user, pid)
    client.force_login(user)
    url = reverse("records:item_correct", args=[item])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Poids du matin", "day": "2099-01-02", "value": "87.5"})
    assert response.status_code == 302
    versions = services.provenance(Actor.of_user(user), pid, item, Purpose.SELF)
    assert versions[0].resource["valueQuantity"]["value"] == 87.5
    assert versions[0].resource["code"]["text"] == "Poids du matin"
    assert versions[0].resource["effectiveDateTime"] == "2099-01-02"
    assert versions[1].resource["valueQuantity"]["value"] == 88
    html = client.get(reverse("records:item", args=[item])).content.decode()
    assert "87,5 kg" in html and "88 kg" in html  # now, and in the history


def test_a_bad_correction_is_explained_and_changes_nothing(client, karim):
    user, pid, _ids = karim
    item = _mine(user, pid)
    client.force_login(user)
    response = client.post(reverse("records:item_correct", args=[item]), {"value": "beaucoup"})
    assert response.status_code == 400
    assert len(services.provenance(Actor.of_user(user), pid, item, Purpose.SELF)) == 1


def test_an_imported_result_cannot_be_corrected_only_annotated(client, karim):
    user, pid, ids = karim
    client.force_login(user)
    assert client.get(reverse("records:item_correct", args=[ids["a1"]])).status_code == 404
    response = client.post(reverse("records:item_correct", args=[ids["a1"]]), {"value": "5"})
    assert response.status_code == 404
    assert len(services.provenance(Actor.of_user(user), pid, ids["a1"], Purpose.SELF)) == 1
    with pytest.raises(services.NotYours):
        services.revise(
            Actor.of_user(user), pid, ids["a1"], Purpose.SELF, lambda r: r, own_entries_only=True
        )


def test_nobody_else_annotates_my_record(client, karim):
    _user, pid, ids = karim
    eve = accounts.create_user("eve@example.org", "a long enough passphrase", role="citizen")
    accounts.ensure_own_patient(eve)
    client.force_login(eve)
    response = client.post(reverse("records:item_annotate", args=[ids["a1"]]), {"text": "x"})
    assert response.status_code == 404
