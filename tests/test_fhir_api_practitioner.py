"""A practitioner's token reaches the records shared with them, with the same rules."""

from __future__ import annotations

import pytest

from carnet.access import audit, emergency, grants, masks
from carnet.access.services import Actor
from carnet.accounts import services as accounts

from .access_records import record_with_items
from .people import practitioner


@pytest.fixture
def shared():
    owner, pid, made = record_with_items()
    doc = practitioner("Dr Kine")
    _t, raw = accounts.create_token(doc)
    return owner, pid, made, doc, {"Authorization": f"Bearer {raw}"}


def ids(bundle):
    return {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle.get("entry", [])}


def test_not_shared_is_404_everywhere(client, shared):
    _owner, pid, made, _doc, auth = shared
    patient = made["patient"][1]
    for url in (
        f"/fhir/R4/Patient/{patient}/$everything",
        f"/fhir/R4/Observation?patient={patient}",
        f"/fhir/R4/Observation/{made['knee'][1]}",
        f"/fhir/R4/Observation/{made['knee'][1]}/_history",
    ):
        r = client.get(url, headers=auth)
        assert r.status_code == 404, url
        assert r.json()["issue"][0]["diagnostics"] == "resource not found"


def test_a_grant_opens_its_part_and_searches_filter_silently(client, shared):
    owner, pid, made, doc, auth = shared
    grants.share(Actor.of_user(owner), pid, doc.pk, categories=["measurements", "problems"])
    patient = made["patient"][1]
    everything = client.get(f"/fhir/R4/Patient/{patient}/$everything", headers=auth).json()
    assert ids(everything) == {made[k] for k in ("patient", "knee", "diabetes", "allergy")}
    assert everything["total"] == 4
    conditions = client.get(f"/fhir/R4/Condition?patient={patient}", headers=auth).json()
    assert conditions["total"] == 1 and ids(conditions) == {made["diabetes"]}
    # A search for the mental-health code finds nothing, exactly like a code never recorded.
    hidden = client.get(f"/fhir/R4/Condition?patient={patient}&code=35489007", headers=auth).json()
    never = client.get(f"/fhir/R4/Condition?patient={patient}&code=00000", headers=auth).json()
    assert hidden["total"] == never["total"] == 0 and hidden["entry"] == never["entry"] == []
    assert (
        client.get(f"/fhir/R4/Condition/{made['depression'][1]}", headers=auth).status_code == 404
    )
    assert client.get(f"/fhir/R4/Condition/{made['diabetes'][1]}", headers=auth).status_code == 200
    history = client.get(f"/fhir/R4/Condition/{made['diabetes'][1]}/_history", headers=auth)
    assert history.json()["total"] == 1
    denials = [e for e in audit.history(pid) if e["decision"] == "deny"]
    assert denials and all(e["actor_id"] == doc.pk for e in denials)


def test_masks_and_revocation_apply_on_the_next_request(client, shared):
    owner, pid, made, doc, auth = shared
    me = Actor.of_user(owner)
    g = grants.share(me, pid, doc.pk, categories=["measurements"])
    url = f"/fhir/R4/Observation?patient={made['patient'][1]}"
    assert client.get(url, headers=auth).json()["total"] == 1
    masks.set_mask(me, pid, *made["knee"], audience="referent")
    assert client.get(url, headers=auth).json()["total"] == 0
    grants.revoke(me, pid, g.pk)
    assert client.get(url, headers=auth).status_code == 404


def test_an_emergency_access_is_used_through_the_api(client, shared):
    _owner, pid, made, doc, auth = shared
    emergency.break_glass(Actor.of_user(doc), pid, "found unconscious")
    url = f"/fhir/R4/AllergyIntolerance?patient={made['patient'][1]}"
    assert client.get(url, headers=auth).json()["total"] == 1
    flagged = [e for e in audit.history(pid) if e["flagged"] and e["action"] == "search"]
    assert len(flagged) == 1
