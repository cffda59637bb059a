"""Home page benchmark: « Mon dossier » of the largest Synthea patient vs an empty record.

    python -m bench.home                 # SQLite in a temporary data directory
    DATABASE_URL=postgres://... CARNET_KEYSTORE_URL=postgres://... python -m bench.home

Both pages are rendered in the same run, through the whole Django stack (session, access
decision and audit entry, decryption, reminders, template), by the test client; the figure
is the median of several requests, and the target is the 900-entry home page at most 1.5×
the empty one (DESIGN.md, performance targets).
"""

from __future__ import annotations

import json
import statistics
import sys
import time

TARGET_RATIO = 1.5
REQUESTS = 25


def _median_ms(client, n: int = REQUESTS) -> float:
    client.get("/")  # warm caches (templates, reference data, keys)
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get("/")
        samples.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples) * 1000


def run(largest_synthea=None) -> dict:
    """Measure both home pages; Django must be set up and migrated. Returns the figures."""
    from django.test import Client

    from bench.__main__ import SYNTHEA, line
    from carnet.access.services import Actor, Purpose
    from carnet.accounts import services as accounts
    from carnet.records import imports

    path = largest_synthea or max(SYNTHEA, key=lambda p: len(json.loads(p.read_bytes())["entry"]))
    empty = accounts.create_user("bench-home-empty@example.org", None, role="citizen")
    full = accounts.create_user("bench-home-full@example.org", None, role="citizen")
    for user in (empty, full):
        accounts.patient_of(user) or accounts.ensure_own_patient(user)
    result = imports.import_bundle(
        Actor.of_user(full),
        path.read_bytes(),
        patient_id=accounts.patient_of(full).pk,
        filename="bench.json",
        purpose=Purpose.SELF,
    )
    clients = {}
    for name, user in (("empty", empty), ("full", full)):
        clients[name] = Client(HTTP_HOST="localhost")
        clients[name].force_login(user)
    # Interleaved, so that a noisy neighbour weighs on both figures alike.
    empty_ms, full_ms = [], []
    for _ in range(3):
        empty_ms.append(_median_ms(clients["empty"], REQUESTS // 3 + 1))
        full_ms.append(_median_ms(clients["full"], REQUESTS // 3 + 1))
    e, f = statistics.median(empty_ms), statistics.median(full_ms)
    print(
        f"home page: patient with {result.created} resources vs an empty record (median of {REQUESTS})"
    )
    line("home page, empty record", e, "ms", e, "itself", None)
    line(
        "home page, largest record",
        f,
        "ms",
        e * TARGET_RATIO,
        "1.5x the empty home, same run",
        "lower",
    )
    return {"empty_ms": e, "full_ms": f, "ratio": f / e, "resources": result.created}


def main() -> int:
    from bench.__main__ import setup

    vendor = setup()
    print(f"Carnet home page benchmark on {vendor}")
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
