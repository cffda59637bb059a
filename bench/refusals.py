"""Refused reads vs unknown ids: a 404 must not tell, by its time, that an item exists.

    python -m bench.refusals             # SQLite in a temporary data directory
    DATABASE_URL=postgres://... CARNET_KEYSTORE_URL=postgres://... python -m bench.refusals

A practitioner with a sharing grant asks, through the whole Django stack (token or session,
access decision, audit entry), for an item the person kept for themself (refused: 404) and
for an id that exists nowhere (404). Both do the same work by construction (records.read,
records.provenance; tests/test_refusal_costs_the_same.py checks the SQL statement by
statement). Figures: the median of each, interleaved, and their ratio; the limit is 1.10
either way (issue 13 measured 15.8 vs 10.7 ms, 1.48, before).
"""

from __future__ import annotations

import statistics
import sys
import time

LIMIT = 1.10
REQUESTS = 60
UNKNOWN_ID = "0c3e9a6e-5b1f-4f1e-9d38-4a3f0d6a7b21"


def _ms(client, path: str, headers: dict) -> float:
    t = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - t
    assert response.status_code == 404, (path, response.status_code)
    return elapsed * 1000


def _pair(client, refused: str, unknown: str, headers: dict) -> tuple[float, float]:
    for path in (refused, unknown):  # warm: keys, templates, sessions
        _ms(client, path, headers)
    a, b = [], []
    for _ in range(REQUESTS):  # interleaved: a noisy neighbour weighs on both alike
        a.append(_ms(client, refused, headers))
        b.append(_ms(client, unknown, headers))
    return statistics.median(a), statistics.median(b)


def run() -> dict:
    """Django must be set up and migrated. Returns the figures."""
    import logging

    from django.test import Client
    from django.urls import reverse

    from bench.__main__ import line
    from carnet.access import grants, masks
    from carnet.access.services import Actor, Purpose
    from carnet.accounts import services as accounts
    from carnet.records import services as records

    person = accounts.create_user("bench-refusals@example.org", None, role="citizen")
    pid = (accounts.patient_of(person) or accounts.ensure_own_patient(person)).pk
    me = Actor.of_user(person)
    made = [
        records.create(
            me,
            pid,
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
                "valueQuantity": {"value": 6.1 + n / 10, "unit": "%"},
                "effectiveDateTime": f"2024-0{1 + n % 9}-15",
            },
            Purpose.SELF,
        )
        for n in range(20)
    ]
    gp = accounts.create_user(
        "bench-refusals-gp@example.org",
        None,
        role="practitioner",
        rpps="19900000001",
        display_name="Dr Bench",
        profession="médecin généraliste",
    )
    grants.share(me, pid, gp.pk, categories=["results"], duration="month")
    hidden = made[0]["id"]
    masks.set_mask(me, pid, "Observation", hidden, audience="self")
    _, token = accounts.create_token(gp, "bench")

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 240 "Not Found" lines
    api = Client(HTTP_HOST="localhost")
    auth = {"Authorization": f"Bearer {token}"}
    fhir = _pair(api, f"/fhir/R4/Observation/{hidden}", f"/fhir/R4/Observation/{UNKNOWN_ID}", auth)
    web = Client(HTTP_HOST="localhost")
    web.force_login(gp)
    page = _pair(
        web,
        reverse("records:pro_item", args=[pid, hidden]),
        reverse("records:pro_item", args=[pid, UNKNOWN_ID]),
        {},
    )
    print(f"refused read vs unknown id (median of {REQUESTS} each, interleaved)")
    figures = {}
    for name, (refused, unknown) in (("FHIR read", fhir), ("item page", page)):
        line(f"{name}, unknown id", unknown, "ms", unknown, "itself", None)
        line(f"{name}, refused item", refused, "ms", unknown * LIMIT, "1.10x unknown", "lower")
        line(
            f"{name}, unknown id vs refused",
            unknown,
            "ms",
            refused * LIMIT,
            "1.10x refused",
            "lower",
        )
        figures[name] = {"refused_ms": refused, "unknown_ms": unknown, "ratio": refused / unknown}
    return figures


def main() -> int:
    from bench.__main__ import setup

    vendor = setup()
    print(f"Carnet refusals benchmark on {vendor}")
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
