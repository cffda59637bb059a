"""Each anonymous figure a person's data counted in is in their access history, no researcher named."""

import json

from django.utils import timezone

from carnet.access import audit
from carnet.research import history, queries

from . import people
from .research import FLU, person_with_flu


def test_a_release_is_listed_in_the_history_of_each_person_counted(client):
    _u, pid, headers = person_with_flu()
    _u, other, other_headers = person_with_flu()
    client.put(
        "/api/research/consent", json.dumps({"research": True}), "application/json", **headers
    )
    anne = people.researcher("Anne Ramonville")
    q = queries.question({"resource": "Condition", "code": FLU, "epsilon": 0.5})
    answer = queries.ask(anne.pk, q, today=timezone.localdate())
    assert history.note_release(answer.counted, "research") == 1
    entries = [
        e
        for e in audit.history(pid)
        if e["details"].get("what") == "counted in an anonymous figure"
    ]
    assert len(entries) == 1
    e = entries[0]
    assert e["purpose"] == "research" and e["actor_id"] is None
    assert "Anne" not in json.dumps(e["details"])
    assert not any(
        x["details"].get("what") == "counted in an anonymous figure" for x in audit.history(other)
    )
