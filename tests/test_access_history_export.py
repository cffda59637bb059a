"""The history exports as FHIR R4B AuditEvent resources that fhir.resources accepts."""

import json

from django.urls import reverse
from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle

from .access_records import looked_at_record
from .people import english


def test_the_export_is_a_bundle_of_valid_audit_events(client):
    owner, _pid, _made, physio, stranger, er = looked_at_record()
    english(client).force_login(owner)
    response = client.get(reverse("coffre:history_export"), {"own": "on"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    Bundle.model_validate(data)
    events = [e["resource"] for e in data["entry"]]
    assert events
    for event in events:
        AuditEvent.model_validate(event)
    by_who = {}
    for event in events:
        by_who.setdefault(event["agent"][0]["who"]["display"], []).append(event)
    assert {"Julien Carmes", "Dr Curieux", "Dr Urgences"} <= set(by_who)
    assert any(e["outcome"] == "4" for e in by_who["Dr Curieux"])
    # The physiotherapist read the knee (allowed) and was refused the depression.
    assert {e["outcome"] for e in by_who["Julien Carmes"] if e["action"] == "R"} == {"0", "4"}
    flagged = [e for e in by_who["Dr Urgences"] if e.get("meta", {}).get("tag")]
    assert flagged
    assert any(
        c["code"] == "BTG" for e in flagged for p in e["purposeOfEvent"] for c in p["coding"]
    )
    assert by_who["Julien Carmes"][0]["agent"][0]["role"][0]["text"].startswith(
        "masseur-kinésithérapeute"
    )


def test_the_export_follows_the_filters(client):
    owner, _pid, _made, physio, *_rest = looked_at_record()
    english(client).force_login(owner)
    data = json.loads(client.get(reverse("coffre:history_export"), {"who": physio.pk}).content)
    assert {e["resource"]["agent"][0]["who"]["display"] for e in data["entry"]} == {"Julien Carmes"}


def test_nobody_else_exports_my_history(client):
    _owner, _pid, _made, physio, *_rest = looked_at_record()
    english(client).force_login(physio)
    assert client.get(reverse("coffre:history_export")).status_code == 404
