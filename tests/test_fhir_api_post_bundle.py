import json

from carnet.access import audit
from carnet.accounts import services as accounts

from .fhir_api import SMALL, citizen, source
from .helpers import largest_synthea
from .people import practitioner_account


def counts():
    from carnet.access.models import AuditEntry
    from carnet.records.models import ResourceVersion, SearchToken, SharedResource

    return (
        ResourceVersion.objects.count(),
        SearchToken.objects.count(),
        SharedResource.objects.count(),
        AuditEntry.objects.filter(action="import").count(),
    )


def post(client, auth, body, content_type="application/fhir+json"):
    return client.post("/fhir/R4", data=body, content_type=content_type, headers=auth)


def test_a_transaction_bundle_is_imported_into_ones_own_record(client):
    alice, auth = citizen("alice@example.org")
    before = counts()

    r = post(client, auth, SMALL.read_bytes())

    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("application/fhir+json")
    bundle = r.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction-response"
    sent = source()
    assert len(bundle["entry"]) == len(sent) == 78
    for request_res, entry in zip(sent, bundle["entry"], strict=True):
        response = entry["response"]
        rtype = request_res["resourceType"]
        assert response["location"].startswith(f"{rtype}/")
        if rtype in ("Practitioner", "Organization"):
            assert response["status"] == "200 OK"
            continue
        assert response["status"] == "201 Created"
        assert response["location"].endswith("/_history/1")
        # The location reads back as the same content, from the caller's own record.
        path = response["location"].removesuffix("/_history/1")
        got = client.get(f"/fhir/R4/{path}", headers=auth).json()
        assert got["resourceType"] == rtype
        for key in ("status", "code", "effectiveDateTime", "valueQuantity", "birthDate"):
            assert got.get(key) == request_res.get(key)
    after = counts()
    assert after[0] - before[0] == 76  # every record entry (the 2 professionals are shared)
    assert after[3] - before[3] == 1
    assert client.get("/fhir/R4/Observation", headers=auth).json()["total"] == 44
    log = audit.history(accounts.patient_of(alice).pk)
    assert [(e["count"], e["decision"]) for e in log if e["action"] == "import"] == [(76, "permit")]

    # A second file for the same person merges their Patient into the existing one.
    again = post(client, auth, SMALL.read_bytes()).json()
    patient_entry = again["entry"][0]["response"]
    assert patient_entry["status"] == "200 OK"
    assert patient_entry["location"].endswith("/_history/2")
    assert client.get("/fhir/R4/Patient", headers=auth).json()["total"] == 1


def test_a_collection_bundle_is_accepted(client):
    _alice, auth = citizen("alice@example.org")
    data = json.loads(SMALL.read_text())
    data["type"] = "collection"
    for entry in data["entry"]:
        entry.pop("request", None)
    r = post(client, auth, json.dumps(data), content_type="application/json")
    assert r.status_code == 200
    assert sum(e["response"]["status"] == "201 Created" for e in r.json()["entry"]) == 76


def test_a_refused_file_names_the_entry_and_writes_nothing(client):
    _alice, auth = citizen("alice@example.org")
    data = json.loads(SMALL.read_text())
    assert data["entry"][5]["resource"]["resourceType"] == "Observation"
    data["entry"][5]["resource"]["valueQuantity"] = "tall"
    bad_type = {"resourceType": "Patient", "id": "x"}
    cases = [
        (json.dumps(data), "entry 6"),
        (SMALL.read_bytes()[:5000], "not valid JSON"),
        (json.dumps(bad_type), "Bundle was expected"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
    ]
    before = counts()
    for body, message in cases:
        r = post(client, auth, body)
        assert r.status_code == 400, message
        assert r["Content-Type"].startswith("application/fhir+json")
        oo = r.json()
        assert oo["resourceType"] == "OperationOutcome"
        assert oo["issue"][0]["severity"] == "error" and oo["issue"][0]["code"] == "invalid"
        assert message in oo["issue"][0]["diagnostics"]
    assert "valueQuantity" in post(client, auth, json.dumps(data)).json()["issue"][0]["diagnostics"]
    assert counts() == before


def test_a_body_over_the_limit_is_413_and_writes_nothing(client, settings):
    _alice, auth = citizen("alice@example.org")
    settings.CARNET_MAX_IMPORT_BYTES = 100_000
    body = SMALL.read_bytes()
    assert len(body) > 100_000
    before = counts()
    r = post(client, auth, body)
    assert r.status_code == 413
    oo = r.json()
    assert oo["resourceType"] == "OperationOutcome" and oo["issue"][0]["code"] == "too-costly"
    assert counts() == before


def test_an_account_without_a_record_cannot_import(client):
    user = practitioner_account("dr@example.org", None, role="practitioner", rpps="10000000001")
    _t, raw = accounts.create_token(user)
    before = counts()
    r = post(client, {"Authorization": f"Bearer {raw}"}, SMALL.read_bytes())
    assert r.status_code == 403
    assert r.json()["issue"][0]["code"] == "forbidden"
    assert counts() == before


def test_imported_data_stays_out_of_another_persons_reach(client):
    _alice, alice_auth = citizen("alice@example.org")
    _bob, bob_auth = citizen("bob@example.org")
    created = post(client, alice_auth, SMALL.read_bytes()).json()
    assert created["entry"][3]["response"]["location"].startswith("Encounter/")
    location = created["entry"][3]["response"]["location"].removesuffix("/_history/1")
    assert client.get(f"/fhir/R4/{location}", headers=alice_auth).status_code == 200
    assert client.get(f"/fhir/R4/{location}", headers=bob_auth).status_code == 404
    assert client.get("/fhir/R4/Observation", headers=bob_auth).json()["total"] == 0


def test_a_bundle_bigger_than_djangos_default_upload_limit_is_accepted(client, settings):
    # Django refuses request.body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default);
    # the API has its own limit, CARNET_MAX_IMPORT_BYTES, and the big Synthea files pass it.
    biggest = largest_synthea()
    assert biggest.stat().st_size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert biggest.stat().st_size < settings.CARNET_MAX_IMPORT_BYTES
    _alice, auth = citizen("alice@example.org")
    r = post(client, auth, biggest.read_bytes())
    assert r.status_code == 200, r.content[:300]
    assert len(r.json()["entry"]) == len(source(biggest))
    observations = sum(1 for res in source(biggest) if res["resourceType"] == "Observation")
    assert client.get("/fhir/R4/Observation?_count=0", headers=auth).json()["total"] == observations
