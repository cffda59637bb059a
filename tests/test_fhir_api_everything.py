from .fhir_api import citizen, denials, import_into, source


def test_everything_returns_the_whole_record_with_its_professionals(client):
    alice, auth = citizen("alice@example.org")
    import_into(alice)
    patient = client.get("/fhir/R4/Patient", headers=auth).json()["entry"][0]["resource"]

    r = client.get(f"/fhir/R4/Patient/{patient['id']}/$everything", headers=auth)

    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    bundle = r.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    got = [e["resource"] for e in bundle["entry"]]
    assert bundle["total"] == len(got) == len(source()) == 78
    counts = {}
    for res in source():
        counts[res["resourceType"]] = counts.get(res["resourceType"], 0) + 1
    got_counts = {}
    for res in got:
        got_counts[res["resourceType"]] = got_counts.get(res["resourceType"], 0) + 1
    assert got_counts == counts
    assert len({(g["resourceType"], g["id"]) for g in got}) == 78
    for entry in bundle["entry"]:
        res = entry["resource"]
        assert entry["fullUrl"] == f"http://testserver/fhir/R4/{res['resourceType']}/{res['id']}"
    # Every reference in the answer resolves inside the answer.
    present = {f"{g['resourceType']}/{g['id']}" for g in got}

    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("reference"), str):
                yield node["reference"]
            for v in node.values():
                yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    assert {ref for g in got for ref in refs(g) if not ref.startswith("#")} <= present
    names = [g for g in got if g["resourceType"] == "Patient"][0]["name"]
    assert names == [s for s in source() if s["resourceType"] == "Patient"][0]["name"]


def test_everything_of_another_or_unknown_patient_is_404_and_audited(client):
    alice, alice_auth = citizen("alice@example.org")
    alice_pid = import_into(alice)
    _bob, bob_auth = citizen("bob@example.org")
    patient = client.get("/fhir/R4/Patient", headers=alice_auth).json()["entry"][0]["resource"]

    theirs = client.get(f"/fhir/R4/Patient/{patient['id']}/$everything", headers=bob_auth)
    missing = client.get("/fhir/R4/Patient/no-such-patient/$everything", headers=bob_auth)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs.json()["issue"][0]["code"] == "not-found"
    latest = denials(alice_pid)[0]
    assert latest["details"]["what"] == "$everything"
    assert latest["actor_id"] == _bob.pk
