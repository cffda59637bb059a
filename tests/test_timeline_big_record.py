"""The largest shared Synthea record: the timeline pages through it on indexed columns,
with a bounded number of queries, and every item is reachable exactly once.

The time of one page is printed (``-s``) beside the same page of a one-item record; no
wall-clock assertion (the machine is shared).
"""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports, services, store


def _median_ms(fn, n=7) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[n // 2]


def _biggest_by_entries():
    import json

    from .helpers import SYNTHEA

    return max(SYNTHEA, key=lambda p: len(json.loads(p.read_bytes())["entry"]))


def test_the_biggest_record_pages_fast_and_completely(client):
    user = accounts.create_user("big@example.org", "a long enough passphrase", role="citizen")
    patient = accounts.patient_of(user)
    path = _biggest_by_entries()
    imports.import_bundle(Actor.of_user(user), path.read_bytes(), patient_id=patient.pk)
    actor = Actor.of_user(user)
    total_rows = store.current_rows(patient.pk).count()
    assert total_rows > 900

    first = services.timeline(actor, patient.pk, Purpose.SELF, per_page=30)
    seen: list[str] = []
    pages = services.timeline(actor, patient.pk, Purpose.SELF, per_page=100).pages
    for page in range(1, pages + 1):
        listing = services.timeline(actor, patient.pk, Purpose.SELF, page=page, per_page=100)
        seen += [r["id"] for r in listing.resources]
    assert len(seen) == len(set(seen)) == first.total

    client.force_login(user)
    url = reverse("records:timeline")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page": 3}).status_code == 200
    assert len(queries) < 25

    big = _median_ms(lambda: client.get(url, {"page": 3}))
    by_kind = _median_ms(lambda: client.get(url, {"type": "results"}))
    found = _median_ms(lambda: client.post(reverse("records:search"), {"q": "glucose"}))

    small_user = accounts.create_user("small@example.org", "a long enough passphrase")
    small = accounts.patient_of(small_user)
    services.create(
        Actor.of_user(small_user),
        small.pk,
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"text": "Grippe"},
            "patient": {"display": "moi"},
            "occurrenceDateTime": "2024-10-01",
        },
        Purpose.SELF,
    )
    client.force_login(small_user)
    empty = _median_ms(lambda: client.get(url))
    print(
        f"\ntimeline, {path.name[:20]}… ({first.total} items): page 3 {big:.1f} ms, "
        f"results {by_kind:.1f} ms, search {found:.1f} ms; one-item record {empty:.1f} ms "
        f"(ratio {big / empty:.2f})"
    )
