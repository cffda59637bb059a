import json

import pytest

from .fhir_api import citizen, denials, import_into, source


@pytest.fixture
def two_citizens():
    alice, alice_auth = citizen("alice@example.org")
    bob, bob_auth = citizen("bob@example.org")
    alice_pid = import_into(alice)
    return alice, alice_auth, alice_pid, bob, bob_auth


def _search(client, auth, query):
    r = client.get(f"/fhir/R4/{query}", headers=auth)
    assert r.status_code == 200, r.content
    return r.json()


def test_reading_own_resource_gives_the_imported_content(client, two_citizens):
    _alice, auth, _pid, _bob, _ = two_citizens
    found = _search(client, auth, "Observation?code=http://loinc.org|8302-2&_count=1")
    obs_id = found["entry"][0]["resource"]["id"]

    r = client.get(f"/fhir/R4/Observation/{obs_id}", headers=auth)

    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    assert r["ETag"] == 'W/"1"'
    body = r.json()
    assert body["resourceType"] == "Observation" and body["id"] == obs_id
    heights = {
        (o["effectiveDateTime"], o["valueQuantity"]["value"])
        for o in source()
        if o["resourceType"] == "Observation" and o["code"]["coding"][0]["code"] == "8302-2"
    }
    assert (body["effectiveDateTime"], body["valueQuantity"]["value"]) in heights
    assert body["subject"]["reference"].startswith("Patient/")
    assert body["meta"]["versionId"] == "1"


def test_another_persons_resource_is_not_found_and_the_denial_is_audited(client, two_citizens):
    _alice, alice_auth, alice_pid, _bob, bob_auth = two_citizens
    patient = _search(client, alice_auth, "Patient")["entry"][0]["resource"]
    obs = _search(client, alice_auth, "Observation?_count=1")["entry"][0]["resource"]
    before = len(denials(alice_pid))

    theirs = client.get(f"/fhir/R4/Observation/{obs['id']}", headers=bob_auth)
    their_patient = client.get(f"/fhir/R4/Patient/{patient['id']}", headers=bob_auth)
    missing = client.get(
        "/fhir/R4/Observation/00000000-0000-0000-0000-000000000000", headers=bob_auth
    )

    assert theirs.status_code == their_patient.status_code == missing.status_code == 404
    assert theirs.content == missing.content == their_patient.content  # nothing revealed
    assert theirs["Content-Type"].startswith("application/fhir+json")
    oo = theirs.json()
    assert oo["resourceType"] == "OperationOutcome"
    assert oo["issue"][0]["severity"] == "error" and oo["issue"][0]["code"] == "not-found"
    assert obs["code"]["coding"][0]["code"] not in theirs.content.decode()
    new = denials(alice_pid)[: len(denials(alice_pid)) - before]
    assert len(new) == 2
    assert {e["action"] for e in new} == {"read"}
    assert {e["details"]["what"] for e in new} == {
        f"Observation/{obs['id']}",
        f"Patient/{patient['id']}",
    }
    # The owner still reads it.
    assert client.get(f"/fhir/R4/Observation/{obs['id']}", headers=alice_auth).status_code == 200


def test_directory_data_is_readable_by_any_authenticated_user(client, two_citizens):
    _alice, alice_auth, _pid, _bob, bob_auth = two_citizens
    enc = _search(client, alice_auth, "Encounter?_count=1")["entry"][0]["resource"]
    practitioner_ref = enc["participant"][0]["individual"]["reference"]
    assert practitioner_ref.startswith("Practitioner/")

    r = client.get(f"/fhir/R4/{practitioner_ref}", headers=bob_auth)

    assert r.status_code == 200
    body = r.json()
    assert body["resourceType"] == "Practitioner"
    expected = next(p for p in source() if p["resourceType"] == "Practitioner")
    assert body["identifier"][0]["value"] == expected["identifier"][0]["value"]
    assert body["name"] == expected["name"]
    assert client.get(f"/fhir/R4/{practitioner_ref}").status_code == 401


def test_unknown_type_bad_id_and_unknown_paths_are_operation_outcomes(client, two_citizens):
    *_, bob_auth = two_citizens
    unknown = client.get("/fhir/R4/Banana/123", headers=bob_auth)
    assert unknown.status_code == 400
    assert unknown.json()["issue"][0]["code"] == "not-supported"
    assert "Banana" in unknown.json()["issue"][0]["diagnostics"]

    bad_id = client.get("/fhir/R4/Observation/not_a_valid$id", headers=bob_auth)
    assert bad_id.status_code == 404
    assert bad_id.json()["resourceType"] == "OperationOutcome"

    nowhere = client.get("/fhir/R4/Observation/1/2/3", headers=bob_auth)
    assert nowhere.status_code == 404
    assert nowhere["Content-Type"].startswith("application/fhir+json")
    assert nowhere.json()["resourceType"] == "OperationOutcome"


def test_writing_methods_on_a_resource_answer_405_operation_outcome(client, two_citizens):
    _alice, alice_auth, *_ = two_citizens
    obs = _search(client, alice_auth, "Observation?_count=1")["entry"][0]["resource"]
    for method in ("put", "delete", "patch"):
        r = getattr(client, method)(
            f"/fhir/R4/Observation/{obs['id']}",
            data=json.dumps(obs),
            content_type="application/fhir+json",
            headers=alice_auth,
        )
        assert r.status_code == 405, method
        assert r.json()["issue"][0]["code"] == "not-supported"
    # And nothing changed.
    again = client.get(f"/fhir/R4/Observation/{obs['id']}", headers=alice_auth).json()
    assert again["meta"]["versionId"] == "1"
