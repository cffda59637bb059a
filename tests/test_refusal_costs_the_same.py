"""A refused read of an item that exists costs the same as a read of an id that exists
nowhere (issue 13, point 10): the same lookups, the same decision, the same audit write,
so the time of a 404 tells nothing. Checked structurally (the same SQL, statement by
statement) for the FHIR read route and the practitioner's item page; the time is measured
by bench/refusals.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carnet.access import audit
from carnet.access.models import AuditEntry
from carnet.accounts import services as accounts
from carnet.vault.services import UNKNOWN_RECORD

from .pro_record import shared_record, url

UNKNOWN_ID = "0c3e9a6e-5b1f-4f1e-9d38-4a3f0d6a7b21"


def _shape(queries) -> list[str]:
    """Each statement with its values blanked: what was asked, of which table."""
    out = []
    for q in queries:
        sql = re.sub(r"'[^']*'", "?", q["sql"])
        sql = re.sub(r'"s\d+_x\d+"', "?", sql)  # savepoint names
        sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
        out.append(re.sub(r"\s+", " ", sql))
    return out


def _twice(client, path, headers=None) -> list[str]:
    client.get(path, headers=headers or {})  # warm: caches of keys and sessions
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 404, path
    return _shape(ctx.captured_queries)


@pytest.fixture
def record():
    owner, pid, made, gp = shared_record()
    _, raw = accounts.create_token(gp, "api")
    return pid, made, gp, {"Authorization": f"Bearer {raw}"}


def test_the_fhir_read_of_a_refused_item_does_the_same_work_as_an_unknown_id(client, record):
    pid, made, _gp, auth = record
    rtype, hidden = made["diabetes"]  # kept by the person for themself
    refused = _twice(client, f"/fhir/R4/{rtype}/{hidden}", auth)
    unknown = _twice(client, f"/fhir/R4/{rtype}/{UNKNOWN_ID}", auth)
    assert len(refused) == len(unknown) and refused == unknown
    assert any(s.startswith('INSERT INTO "access_auditentry"') for s in refused)
    # Both are written down: the refusal in the person's history, the miss in the unknown
    # record's chain (no person's), and both chains verify.
    history = _twice(client, f"/fhir/R4/{rtype}/{hidden}/_history", auth)
    assert history == _twice(client, f"/fhir/R4/{rtype}/{UNKNOWN_ID}/_history", auth)
    assert AuditEntry.objects.filter(patient_id=pid, decision="deny").count() == 4
    assert AuditEntry.objects.filter(patient_id=UNKNOWN_RECORD, decision="deny").count() == 4
    assert audit.verify_chain(UNKNOWN_RECORD)[1] is None
    assert audit.verify_chain(pid)[1] is None


def test_the_item_page_of_a_refused_item_does_the_same_work_as_an_unknown_id(client, record):
    pid, made, gp, _auth = record
    client.force_login(gp)
    refused = _twice(client, url("item", pid, made["diabetes"][1]))
    unknown = _twice(client, url("item", pid, UNKNOWN_ID))
    assert len(refused) == len(unknown) and refused == unknown
    assert any(s.startswith('INSERT INTO "access_auditentry"') for s in refused)
