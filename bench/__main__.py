"""Carnet benchmarks: each figure is printed beside the limit it is measured against,
as a ratio from the same run, so that a number means something on a noisy machine.

    python -m bench                 # SQLite in a temporary data directory
    DATABASE_URL=postgres://... CARNET_KEYSTORE_URL=postgres://... python -m bench

Figures:
  import        Synthea bundles through the full import (validation, reference rewriting,
                encryption, blind indexes, audit) vs inserting the same JSON raw.
  $everything   the largest patient's whole record through access + audit + decryption
                vs selecting and parsing the same JSON stored raw.
  audit verify  hash-chain verification vs raw SHA-256 over the same bytes.
  refusals      a refused read vs a read of an unknown id, FHIR and item page (bench/refusals.py).
  big import    other people's p95 while a 20 MB bundle is imported vs idle, and the
                import's rate (bench/big_import.py; CARNET_BENCH_BIG_IMPORT_MB).
  sign-in       median and p95 of a sign-in alone and with 20 at once vs 1 s (bench/signin.py).
  page weight   the home page of a 900-entry record as Chromium receives it vs 150 KB
                (bench/page_weight.py).
  research      a differentially private question over 100,000 contributors vs 2 s
                (bench/research.py; CARNET_BENCH_RESEARCH_CONTRIBUTORS).
  load          Locust users against a real `carnet serve` vs the same stack serving a
                static page (bench/load.py; CARNET_LOAD_SECONDS, CARNET_LOAD_USERS).
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench import big_import as big_import_bench
from bench import crash as crash_bench
from bench import directory as directory_bench
from bench import home as home_bench
from bench import page_weight as page_weight_bench
from bench import refusals as refusals_bench
from bench import reminders as reminders_bench
from bench import research as research_bench
from bench import signin as signin_bench

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CARNET_SHARED_DIR") or ROOT.parent / "shared")
SYNTHEA = sorted((SHARED / "data" / "synthea").glob("*.json"))


def setup() -> str:
    os.environ.setdefault("CARNET_DATA_DIR", tempfile.mkdtemp(prefix="carnet-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("flush", "--noinput", verbosity=0) if os.environ.get("DATABASE_URL") else None
    call_command("migrate", verbosity=0)
    call_command("migrate", database="keystore", verbosity=0)
    from django.db import connection

    return connection.vendor


def line(
    name: str, value: float, unit: str, limit: float, limit_name: str, better: str | None
) -> None:
    """One figure beside its limit; a verdict only where the limit is a target to meet."""
    ratio = value / limit if limit else float("inf")
    verdict = ""
    if better:
        verdict = "ok" if (ratio >= 1 if better == "higher" else ratio <= 1) else "MISSED"
    print(
        f"  {name:<36} {value:>10,.1f} {unit:<12} vs {limit:>10,.1f} ({limit_name}): ratio {ratio:5.2f} {verdict}"
    )


def bench_import(vendor: str) -> dict:
    from django.db import connection, transaction

    from carnet.access.services import Actor, Purpose
    from carnet.accounts import services as accounts
    from carnet.records import imports

    blobs = [p.read_bytes() for p in SYNTHEA]
    total_entries = sum(len(json.loads(b)["entry"]) for b in blobs)

    # Limit: the same JSON inserted raw, one transaction per file, no validation or crypto.
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw")
        cur.execute(
            "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, patient_id INTEGER, type VARCHAR(64), body TEXT)"
            if vendor == "sqlite"
            else "CREATE TABLE bench_raw (id SERIAL PRIMARY KEY, patient_id INTEGER, type VARCHAR(64), body TEXT)"
        )
    t = time.perf_counter()
    for n, b in enumerate(blobs):
        bundle = json.loads(b)
        rows = [
            (n, e["resource"]["resourceType"], json.dumps(e["resource"])) for e in bundle["entry"]
        ]
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_raw (patient_id, type, body) VALUES (%s, %s, %s)", rows
            )
    raw_rate = total_entries / (time.perf_counter() - t)

    actor = Actor.operator()
    t = time.perf_counter()
    patient_ids = []
    for b in blobs:
        result = imports.import_bundle(
            actor,
            b,
            purpose=Purpose.OPERATIONS,
            filename="bench.json",
            create_patient=lambda: accounts.create_unclaimed_citizen().pk,
        )
        patient_ids.append(result.patient_id)
    rate = total_entries / (time.perf_counter() - t)
    print(f"import: {len(blobs)} Synthea bundles, {total_entries:,} resources")
    line("full import", rate, "resources/s", raw_rate, "raw insert of the same JSON", None)
    line(
        "full import vs target",
        rate,
        "resources/s",
        1000.0,
        "target 1,000/s (10x Medplum)",
        "higher",
    )
    return {"patient_ids": patient_ids, "raw_rate": raw_rate, "rate": rate}


def bench_everything(patient_ids: list[int]) -> None:
    from django.db import connection

    from carnet.access.services import Actor, Purpose
    from carnet.records import services, store

    sizes = {pid: store.current_rows(pid).count() for pid in patient_ids}
    pid = max(sizes, key=sizes.get)
    rows = [(r.resource_type, r.fhir_id) for r in store.current_rows(pid)]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_plain")
        cur.execute(
            "CREATE TABLE bench_plain (patient_id INTEGER, type VARCHAR(64), fhir_id VARCHAR(64), body TEXT)"
        )
    from carnet.access import services as access

    permit = access.decide(Actor.operator(), pid, "export", Purpose.OPERATIONS)
    plain = store.open_rows(permit, store.current_rows(pid))
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO bench_plain VALUES (%s, %s, %s, %s)",
            [(pid, r["resourceType"], r["id"], json.dumps(r)) for r in plain],
        )
        cur.execute("CREATE INDEX bench_plain_p ON bench_plain (patient_id, type)")

    def raw():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT body FROM bench_plain WHERE patient_id = %s ORDER BY type, fhir_id", [pid]
            )
            return [
                orjson.loads(b) for (b,) in cur.fetchall()
            ]  # the fastest parser, as the store uses

    from carnet.accounts.models import Patient

    owner = Patient.objects.get(pk=pid).owner
    actor = Actor.of_user(owner)

    def full():
        return services.everything(actor, pid, Purpose.SELF)

    def timeit(fn, n):
        fn()
        samples = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        return samples

    # Interleaved rounds, so that a noisy neighbour weighs on both figures alike.
    raw_samples, full_samples = [], []
    for _ in range(3):
        raw_samples += timeit(raw, 5)
        full_samples += timeit(full, 5)
    raw_ms = statistics.median(raw_samples) * 1000
    full_ms = statistics.median(full_samples) * 1000
    print(f"$everything: patient with {len(rows)} resources (median of 15)")
    line(
        "$everything (access+audit+decrypt)",
        full_ms,
        "ms",
        raw_ms * 1.5,
        "1.5x raw read, same run",
        "lower",
    )
    line("$everything vs target", full_ms, "ms", 100.0, "target 100 ms", "lower")


def bench_audit() -> None:
    from carnet.access import audit
    from carnet.access.models import AuditEntry

    pid = AuditEntry.objects.values_list("patient_id", flat=True).first()
    for _ in range(2000):  # a long history: 2,000 more reads of one record
        audit.append(
            patient_id=pid,
            actor_id=None,
            actor_role="operator",
            action="read",
            purpose="operations",
            decision="permit",
            details={"what": "bench"},
        )
    entries = list(AuditEntry.objects.all())
    payloads = [
        json.dumps(
            [e.patient_id, e.seq, e.at.isoformat(), e.actor_id, e.action, e.prev_hash]
        ).encode()
        + bytes(e.details)
        for e in entries
    ]
    t = time.perf_counter()
    for data in payloads:
        hashlib.sha256(data).hexdigest()
    raw = time.perf_counter() - t
    t = time.perf_counter()
    checked, problems = audit.verify_all()
    full = time.perf_counter() - t
    assert not problems, problems
    print(f"audit verify: {checked:,} entries, {sum(map(len, payloads)):,} bytes")
    line(
        "verify (per entry)",
        checked / full,
        "entries/s",
        len(entries) / max(raw, 1e-9),
        "raw SHA-256 of the same bytes",
        None,
    )


def main() -> int:
    vendor = setup()
    print(f"Carnet benchmarks on {vendor}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    result = bench_import(vendor)
    bench_everything(result["patient_ids"])
    home_bench.run()
    page_weight_bench.run()  # a real server and Chromium, in a private install
    refusals_bench.run()
    reminders_bench.run(int(os.environ.get("CARNET_BENCH_REMINDERS_PATIENTS") or 10000))
    bench_audit()
    research_bench.run()  # CARNET_BENCH_RESEARCH_CONTRIBUTORS (default 100,000; 0 skips)
    directory_bench.run_in_suite(vendor)  # only with CARNET_BENCH_DIRECTORY_ROWS set
    big_import_bench.main()  # a real server and `carnet import`, in a private install
    signin_bench.run()
    crash_bench.main([])  # SIGKILL rounds: CARNET_CRASH_ROUNDS, default 40
    # Locust patches its process for gevent: the load run gets a process of its own.
    subprocess.run([sys.executable, "-m", "bench.load"], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
