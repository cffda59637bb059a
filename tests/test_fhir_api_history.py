from carnet.access.services import Actor, Purpose
from carnet.records import services

from .fhir_api import citizen, denials, import_into


def test_history_lists_every_version_newest_first(client):
    alice, auth = citizen("alice@example.org")
    import_into(alice)
    import_into(alice)  # the second file updates the same Patient: version 2
    patient = client.get("/fhir/R4/Patient", headers=auth).json()["entry"][0]["resource"]
    assert patient["meta"]["versionId"] == "2"
    cond = client.get("/fhir/R4/Condition", headers=auth).json()["entry"][0]["resource"]
    changed = {**cond, "clinicalStatus": {"text": "resolved by the person"}}
    changed.pop("meta")
    services.update(Actor.of_user(alice), changed, Purpose.SELF)

    r = client.get(f"/fhir/R4/Condition/{cond['id']}/_history", headers=auth)

    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    bundle = r.json()
    assert bundle["type"] == "history" and bundle["total"] == 2
    versions = [e["resource"]["meta"]["versionId"] for e in bundle["entry"]]
    assert versions == ["2", "1"]
    assert bundle["entry"][0]["resource"]["clinicalStatus"]["text"] == "resolved by the person"
    assert bundle["entry"][1]["resource"]["clinicalStatus"] == cond["clinicalStatus"]
    assert [e["request"]["method"] for e in bundle["entry"]] == ["PUT", "POST"]
    assert [e["response"]["etag"] for e in bundle["entry"]] == ['W/"2"', 'W/"1"']
    current = client.get(f"/fhir/R4/Condition/{cond['id']}", headers=auth)
    assert current.json()["clinicalStatus"]["text"] == "resolved by the person"
    assert current["ETag"] == 'W/"2"'

    patient_history = client.get(f"/fhir/R4/Patient/{patient['id']}/_history", headers=auth)
    assert patient_history.json()["total"] == 2


def test_history_of_another_persons_resource_is_404_and_audited(client):
    alice, alice_auth = citizen("alice@example.org")
    alice_pid = import_into(alice)
    bob, bob_auth = citizen("bob@example.org")
    cond = client.get("/fhir/R4/Condition", headers=alice_auth).json()["entry"][0]["resource"]

    theirs = client.get(f"/fhir/R4/Condition/{cond['id']}/_history", headers=bob_auth)
    missing = client.get("/fhir/R4/Condition/does-not-exist/_history", headers=bob_auth)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    latest = denials(alice_pid)[0]
    assert latest["details"]["what"] == f"Condition/{cond['id']}/_history"
    assert latest["actor_id"] == bob.pk
