"""The person (and a relative who manages their record) reads the access history over
the FHIR API as AuditEvents, by date and outcome, page by page; an app or a stranger
gets 404."""

from __future__ import annotations

import pytest
from django.test import Client

from carnet.accounts import services as accounts

from .people import make_people

pytestmark = pytest.mark.django_db(databases="__all__")


def _auth(user) -> dict:
    _token, raw = accounts.create_token(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_history_reads_as_audit_events_with_paging_and_filters():
    people = make_people()
    api = Client()
    auth = _auth(people.alice)
    r = api.get("/fhir/R4/AuditEvent?_count=1", headers=auth)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] >= 2 and len(body["entry"]) == 1
    assert body["entry"][0]["resource"]["resourceType"] == "AuditEvent"
    assert any(link["relation"] == "next" for link in body["link"])
    refused = api.get("/fhir/R4/AuditEvent?outcome=4", headers=auth).json()
    assert all(e["resource"]["outcome"] == "4" for e in refused["entry"])
    future = api.get("/fhir/R4/AuditEvent?date=ge2100-01-01", headers=auth).json()
    assert future["total"] == 0
    assert api.get("/fhir/R4/AuditEvent?outcome=9", headers=auth).status_code == 400


def test_a_managing_relative_reads_it_and_a_stranger_gets_404():
    people = make_people()
    api = Client()
    query = f"/fhir/R4/AuditEvent?patient={people.things['fhir_patient_id']}"
    relative = api.get(query, headers=_auth(people.relative))
    assert relative.status_code == 200, relative.content
    assert relative.json()["total"] >= 1
    assert api.get(query, headers=_auth(people.stranger)).status_code == 404
