from urllib.parse import parse_qs, urlparse

import pytest

from carnet.accounts import services as accounts

from .fhir_api import citizen, denials, import_into, source
from .people import practitioner_account


@pytest.fixture
def alice():
    user, auth = citizen("alice@example.org")
    pid = import_into(user)
    return user, auth, pid


def observations() -> list[dict]:
    return [r for r in source() if r["resourceType"] == "Observation"]


def get(client, auth, url, status=200):
    r = client.get(url, headers=auth)
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/fhir+json")
    return r.json()


def ids(bundle):
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def test_without_patient_a_citizen_searches_their_own_record(client, alice):
    _user, auth, _pid = alice
    bundle = get(client, auth, "/fhir/R4/Observation?_count=1000")
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    assert bundle["total"] == len(observations()) == 44
    assert len(bundle["entry"]) == 44
    assert {e["search"]["mode"] for e in bundle["entry"]} == {"match"}
    first = bundle["entry"][0]
    assert first["fullUrl"] == f"http://testserver/fhir/R4/Observation/{first['resource']['id']}"
    dates = [e["resource"]["effectiveDateTime"] for e in bundle["entry"]]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_patient_parameter_accepts_reference_or_id(client, alice):
    _user, auth, _pid = alice
    patient_id = get(client, auth, "/fhir/R4/Patient")["entry"][0]["resource"]["id"]
    by_ref = get(client, auth, f"/fhir/R4/Condition?patient=Patient/{patient_id}")
    by_id = get(client, auth, f"/fhir/R4/Condition?patient={patient_id}")
    assert by_ref["total"] == by_id["total"] == 2
    assert sorted(ids(by_ref)) == sorted(ids(by_id))
    wrong_type = get(client, auth, f"/fhir/R4/Condition?patient=Group/{patient_id}", status=400)
    assert wrong_type["resourceType"] == "OperationOutcome"


def test_code_token_with_and_without_system_and_comma_or(client, alice):
    _user, auth, _pid = alice

    def expected(*codes):
        return sum(1 for o in observations() if o["code"]["coding"][0]["code"] in codes)

    assert get(client, auth, "/fhir/R4/Observation?code=8302-2")["total"] == expected("8302-2") == 4
    assert get(client, auth, "/fhir/R4/Observation?code=http://loinc.org|8302-2")["total"] == 4
    assert (
        get(client, auth, "/fhir/R4/Observation?code=http://snomed.info/sct|8302-2")["total"] == 0
    )
    both = get(client, auth, "/fhir/R4/Observation?code=8302-2,29463-7&_count=100")
    assert both["total"] == expected("8302-2", "29463-7") == 8
    assert {e["resource"]["code"]["coding"][0]["code"] for e in both["entry"]} == {
        "8302-2",
        "29463-7",
    }
    twice = get(client, auth, "/fhir/R4/Observation?code=8302-2&code=29463-7", status=400)
    assert "comma" in twice["issue"][0]["diagnostics"]


def test_category(client, alice):
    _user, auth, _pid = alice
    counted = {}
    for o in observations():
        c = o["category"][0]["coding"][0]["code"]
        counted[c] = counted.get(c, 0) + 1
    vital = get(client, auth, "/fhir/R4/Observation?category=vital-signs&_count=100")
    assert vital["total"] == counted["vital-signs"] == 21
    labs_and_survey = get(client, auth, "/fhir/R4/Observation?category=laboratory,survey")
    assert labs_and_survey["total"] == counted["laboratory"] + counted["survey"]
    both = get(client, auth, "/fhir/R4/Observation?category=vital-signs&code=8302-2")
    assert both["total"] == 4


def test_date_prefixes(client, alice):
    _user, auth, _pid = alice
    dates = [o["effectiveDateTime"][:10] for o in observations()]

    def total(query):
        return get(client, auth, f"/fhir/R4/Observation?{query}")["total"]

    assert total("date=ge2015-01-01") == sum(d >= "2015-01-01" for d in dates)
    assert total("date=lt2015-01-01") == sum(d < "2015-01-01" for d in dates)
    assert total("date=ge2015-01-01") + total("date=lt2015-01-01") == len(dates)
    assert total("date=ge2014-01-01&date=lt2016-01-01") == sum(
        "2014-01-01" <= d < "2016-01-01" for d in dates
    )
    day = dates[0]
    assert total(f"date={day}") == total(f"date=eq{day}") == dates.count(day) > 0
    assert total(f"date=gt{day}") == sum(d > day for d in dates)
    assert total(f"date=le{day}") == sum(d <= day for d in dates)
    assert total(f"date=eq{day[:4]}") == sum(d[:4] == day[:4] for d in dates)
    assert total(f"date=eq{day[:7]}") == sum(d[:7] == day[:7] for d in dates)
    assert 0 < total("date=ge2015-01-01") < len(dates)  # the data straddles the bound

    for bad in ("date=ne2015-01-01", "date=yesterday", "date=2015-13-45", "date=9999"):
        oo = get(client, auth, f"/fhir/R4/Observation?{bad}", status=400)
        assert oo["resourceType"] == "OperationOutcome"
        assert oo["issue"][0]["severity"] == "error"


def test_paging_with_count_and_offset(client, alice):
    _user, auth, _pid = alice
    seen, url, pages = [], "/fhir/R4/Observation?category=laboratory&_count=5", 0
    while url:
        page = get(client, auth, url)
        assert page["total"] == 19
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert links["self"].startswith("http://testserver/fhir/R4/Observation?")
        assert parse_qs(urlparse(links["self"]).query)["category"] == ["laboratory"]
        if pages:
            assert "previous" in links
        else:
            assert "previous" not in links
        seen += ids(page)
        pages += 1
        url = links.get("next")
    assert pages == 4
    assert len(seen) == len(set(seen)) == 19
    everything = ids(get(client, auth, "/fhir/R4/Observation?category=laboratory&_count=100"))
    assert seen == everything

    last = get(client, auth, "/fhir/R4/Observation?category=laboratory&_count=5&_offset=15")
    prev = {link["relation"]: link["url"] for link in last["link"]}["previous"]
    assert parse_qs(urlparse(prev).query)["_offset"] == ["10"]

    only_total = get(client, auth, "/fhir/R4/Observation?_count=0")
    assert only_total["total"] == 44
    assert not only_total.get("entry")
    capped = get(client, auth, "/fhir/R4/Observation?_count=5000")
    assert len(capped["entry"]) == 44
    assert "_count=1000" in capped["link"][0]["url"]
    default = get(client, auth, "/fhir/R4/Observation")
    assert "_count=50" in default["link"][0]["url"]


def test_bad_parameters_are_operation_outcomes_not_422(client, alice):
    _user, auth, _pid = alice
    for query in ("_count=abc", "_count=-1", "_offset=x"):
        oo = get(client, auth, f"/fhir/R4/Observation?{query}", status=400)
        assert oo["resourceType"] == "OperationOutcome"
        assert oo["issue"][0]["code"] == "invalid"
        assert query.split("=")[0] in oo["issue"][0]["diagnostics"]
    unknown = get(client, auth, "/fhir/R4/NotAType?code=1", status=400)
    assert unknown["issue"][0]["code"] == "not-supported"
    directory = get(client, auth, "/fhir/R4/Practitioner", status=400)
    assert "read it by id" in directory["issue"][0]["diagnostics"]


def test_another_persons_record_is_answered_404_like_a_missing_one(client, alice):
    _alice, alice_auth, alice_pid = alice
    _bob, bob_auth = citizen("bob@example.org")
    alice_patient = get(client, alice_auth, "/fhir/R4/Patient")["entry"][0]["resource"]["id"]
    before = len(denials(alice_pid))

    theirs = client.get(f"/fhir/R4/Observation?patient={alice_patient}", headers=bob_auth)
    missing = client.get(
        "/fhir/R4/Observation?patient=00000000-0000-0000-0000-000000000000", headers=bob_auth
    )

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs.json()["resourceType"] == "OperationOutcome"
    new = denials(alice_pid)[: len(denials(alice_pid)) - before]
    assert [(e["action"], e["decision"], e["resource_type"]) for e in new] == [
        ("search", "deny", "Observation")
    ]
    # Bob's own (empty) record is searchable and holds nothing of Alice's.
    own = get(client, bob_auth, "/fhir/R4/Observation")
    assert own["total"] == 0


def test_a_practitioner_without_a_record_must_name_the_patient(client):
    user = practitioner_account("dr@example.org", None, role="practitioner", rpps="10000000001")
    _t, raw = accounts.create_token(user)
    oo = get(client, {"Authorization": f"Bearer {raw}"}, "/fhir/R4/Observation", status=400)
    assert "patient" in oo["issue"][0]["diagnostics"]
