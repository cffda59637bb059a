"""Reminders benchmark: computing every reminder of N people beside just reading their records.

    python -m bench.reminders                      # SQLite in a temporary data directory
    DATABASE_URL=postgres://user@host:5432/any python -m bench.reminders

N is CARNET_BENCH_REMINDERS_PATIENTS (default 10,000). With PostgreSQL, scratch databases
(``carnet_bench_reminders_<pid>`` and ``…_keys`` for the key store) are created on that
server for the run and dropped at the end; the database named in DATABASE_URL is never
touched.

Setup (N accounts, each with a small FHIR record imported through
``records.imports.import_bundle``: an infant, a pregnant woman, a 45-year-old with type 2
diabetes and a treatment, a 70-year-old) is timed and reported apart. Then, in the same
run and in the same order as the daily job (``reminders.notifications.daily``):

  read      every owned record read through access (audit, decryption) — ``record.load``
  compute   the same read, plus every reminder computed — ``services.compute``, the daily
            job's compute path (vaccination calendar, programmes, treatments, stale data)

and the ratio compute/read: what the reminders engines add to reading the records.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

PATIENTS = int(os.environ.get("CARNET_BENCH_REMINDERS_PATIENTS") or 10_000)
TARGET_RATIO = 3.0  # computing may cost at most 3x reading the same records
TARGET_10K_MINUTES = 30.0  # the 07:00 job for 10,000 people done within half an hour


def _bundles(today: dt.date) -> list[dict]:
    """Four small records, each with something for every engine."""
    from tests.bundles import CVX, SNOMED, Bundle

    def years(n: int) -> dt.date:
        return today - dt.timedelta(days=int(n * 365.25))

    infant = Bundle(today - dt.timedelta(days=130), "male")
    infant.vaccine(today - dt.timedelta(days=70), "J07CA09")

    pregnant = Bundle(years(31), "female")
    pregnant.condition(today - dt.timedelta(days=120), "72892002", SNOMED)
    pregnant.encounter(today - dt.timedelta(days=100), "424441002")
    pregnant.vaccine(years(8), "115", CVX)

    diabetic = Bundle(years(45), "male")
    diabetic.condition(years(5), "44054006", SNOMED)
    diabetic.observation(today - dt.timedelta(days=100), "4548-4")
    diabetic.observation(today - dt.timedelta(days=400), "29463-7", valueQuantity={"value": 84, "unit": "kg"})  # fmt: skip
    diabetic.medication(today - dt.timedelta(days=20), "Metformine 1000 mg",
                        {"frequency": 2, "period": 1, "periodUnit": "d"}, supply_days=90)  # fmt: skip

    elderly = Bundle(years(70), "female")
    elderly.vaccine(today - dt.timedelta(days=300), "J07BB02")
    elderly.medication(today - dt.timedelta(days=60), "Amlodipine 5 mg",
                       {"frequency": 1, "period": 1, "periodUnit": "d"}, end=today + dt.timedelta(days=10))  # fmt: skip
    return [b.bundle() for b in (infant, pregnant, diabetic, elderly)]


def create_people(n: int, today: dt.date) -> float:
    """N citizens, each with a small record through the full import; returns the seconds."""
    import orjson
    from django.db import transaction

    from carnet.access.services import Actor, Purpose
    from carnet.accounts import services as accounts
    from carnet.records import imports

    blobs = [orjson.dumps(b) for b in _bundles(today)]
    actor = Actor.operator("bench")
    t = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            user = accounts.create_user(f"bench-rem-{i}@example.org", None, role="citizen")
            imports.import_bundle(
                actor,
                blobs[i % len(blobs)],
                patient_id=accounts.patient_of(user).pk,
                filename="bench.json",
                purpose=Purpose.OPERATIONS,
            )
        if (i + 1) % 1000 == 0:
            print(f"  … {i + 1:,} people ({time.perf_counter() - t:,.0f} s)", file=sys.stderr)
    return time.perf_counter() - t


def _pass(on: dt.date, compute: bool) -> tuple[float, int]:
    """One pass over every owned record, as the daily job iterates them."""
    from carnet.reminders import notifications, services
    from carnet.reminders.record import load, owner_actor

    reminders = 0
    t = time.perf_counter()
    for pid in notifications.owned_patients().iterator():
        snap = load(owner_actor(pid), pid)
        if compute:
            reminders += len(services.compute(snap, on).reminders)
    return time.perf_counter() - t, reminders


def run(n: int = PATIENTS) -> dict:
    """Create N people and measure; Django must be set up and migrated."""
    from django.utils import timezone

    from bench.__main__ import line
    from carnet.reminders import notifications
    from carnet.vault import services as vault

    today = timezone.localdate()
    setup_s = create_people(n, today)
    people = notifications.owned_patients().count()
    vault.forget_cached_key()
    _pass(today, compute=False)  # warm: keys unwrapped, reference data loaded
    # Interleaved twice, so that a noisy neighbour weighs on both figures alike.
    reads, computes = [], []
    for _ in range(2):
        reads.append(_pass(today, compute=False)[0])
        s, reminders = _pass(today, compute=True)
        computes.append(s)
    read_s, compute_s = min(reads), min(computes)
    per_ms = compute_s / people * 1000
    print(f"reminders: {people:,} people with small records ({reminders:,} reminders computed)")
    print(
        f"  setup, apart: {people:,} accounts + record imports in {setup_s:,.1f} s"
        f" ({setup_s / people * 1000:.1f} ms per person)"
    )
    line("read every record (no compute)", read_s, "s", read_s, "itself", None)
    line(
        "compute every reminder",
        compute_s,
        "s",
        read_s * TARGET_RATIO,
        f"{TARGET_RATIO:g}x the read, same run",
        "lower",
    )
    line("compute, per person", per_ms, "ms", read_s / people * 1000, "read per person", None)
    line(
        "compute for 10,000 (projected)",
        per_ms * 10_000 / 60_000,
        "min",
        TARGET_10K_MINUTES,
        "target 30 min",
        "lower",
    )
    return {
        "people": people,
        "setup_s": setup_s,
        "read_s": read_s,
        "compute_s": compute_s,
        "ratio": compute_s / read_s,
    }


# --- a scratch PostgreSQL database for the run ------------------------------------------------
def _scratch_postgres() -> tuple[str, str] | None:
    """Create a scratch database beside DATABASE_URL's and point both URLs at it."""
    url = os.environ.get("DATABASE_URL") or ""
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    parts = urlsplit(url)
    name = f"carnet_bench_reminders_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for db in (name, f"{name}_keys"):  # the key store is a database of its own
            conn.execute(f'CREATE DATABASE "{db}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["CARNET_KEYSTORE_URL"] = urlunsplit(parts._replace(path=f"/{name}_keys"))
    return admin, name


def _drop_postgres(admin: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin, autocommit=True) as conn:
        for db in (name, f"{name}_keys"):
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def main() -> int:
    import tempfile

    os.environ.setdefault("CARNET_DATA_DIR", tempfile.mkdtemp(prefix="carnet-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnet.settings")
    scratch = _scratch_postgres()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("migrate", database="keystore", verbosity=0)
        print(f"Carnet reminders benchmark on {connection.vendor}, N={PATIENTS:,}")
        run(PATIENTS)
    finally:
        if scratch:
            _drop_postgres(*scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
