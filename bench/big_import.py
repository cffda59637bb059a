"""One big import beside everyone else: other people's requests while a 20 MB bundle imports.

    python -m bench.big_import            # part of `make bench`

A real `carnet serve` on a private install; Alice (a small record, an API token) has two
clients reading her record without pause (each read is audited, so each one writes) and
now and then importing a two-item bundle. First idle, then while `carnet import` writes a
bundle of CARNET_BENCH_BIG_IMPORT_MB (default 20) MB into Bob's record: a Synthea bundle
with its observations copied, compact, until the file has that size (about 60,000 entries).

Figures: Alice's p95 during the import vs idle, against the limit of 3x idle; every
answer Alice got (a 500 or a 503 is a failure); the import's rate in entries per second.
The same scenario, smaller, is the test tests/test_import_big_file_others_keep_working.py.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench.crash import CARNET, SYNTHEA, Scratch, _free_port, _wait_ready

ALICE, BOB = "alice@example.org", "bob@example.org"
P95_LIMIT = 3.0  # x idle
SMALL_WRITES = 8  # Alice's own small imports during a run (well under the hourly limit)


def multiply(bundle: dict, *, entries: int | None = None, max_bytes: int | None = None) -> bytes:
    """``bundle`` with compact copies of its observations (new ids, the same patient and
    encounters, one minute apart) appended until it has ``entries`` entries or would pass
    ``max_bytes`` bytes: the shape of a watch's export, many small measurements."""
    out = copy.deepcopy(bundle)
    sources = [
        e["resource"]
        for e in out["entry"]
        if e["resource"]["resourceType"] == "Observation" and "valueQuantity" in e["resource"]
    ]
    assert sources, "the bundle has no measurement to copy"
    size = len(json.dumps(out, separators=(",", ":")))
    n = 0
    while True:
        src = sources[n % len(sources)]
        fid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"carnet-big-import/{n}"))
        coding = (src["code"].get("coding") or [None])[0]
        res = {
            "resourceType": "Observation",
            "id": fid,
            "status": "final",
            "code": {"coding": [{"system": coding.get("system"), "code": coding.get("code")}]}
            if coding
            else src["code"],
            "subject": src["subject"],
            "effectiveDateTime": f"2020-01-{1 + (n // 1440) % 28:02d}T"
            f"{(n // 60) % 24:02d}:{n % 60:02d}:00+00:00",
            "valueQuantity": src["valueQuantity"],
        }
        entry = {"fullUrl": f"urn:uuid:{fid}", "resource": res}
        grow = len(json.dumps(entry, separators=(",", ":"))) + 1
        if (entries and len(out["entry"]) >= entries) or (max_bytes and size + grow > max_bytes):
            break
        out["entry"].append(entry)
        size += grow
        n += 1
    return json.dumps(out, separators=(",", ":")).encode()


SETUP = """
import json
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("migrate", database="keystore", interactive=False, verbosity=0)
from carnet.accounts import services as accounts
alice = accounts.create_user({alice!r}, "a long enough passphrase", role="citizen")
accounts.create_user({bob!r}, "a long enough passphrase", role="citizen")
_, token = accounts.create_token(alice, "bench")
call_command("import", {small!r}, owner={alice!r}, quiet=True)
print(json.dumps({{"token": token, "bob": accounts.patient_for_email({bob!r}).pk}}))
"""

SMALL_BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:o1",
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Poids"},
                "valueQuantity": {"value": 61, "unit": "kg"},
            },
        }
    ],
}


@dataclass
class Result:
    entries: int = 0
    bytes: int = 0
    import_seconds: float = 0.0
    import_returncode: int | None = None
    import_stderr: str = ""
    # (started, ended, status, kind) of each of Alice's requests, monotonic seconds
    requests: list = field(default_factory=list)
    idle_until: float = 0.0
    import_started: float = 0.0
    import_ended: float = 0.0
    # (time, staged rows of Bob, current rows of Bob) seen while the import ran
    samples: list = field(default_factory=list)
    bob_current: int = 0
    bob_staged: int = 0
    stages: list = field(default_factory=list)
    expected: int = 0

    def latencies(self, start: float, end: float, kind: str = "read") -> list[float]:
        return [b - a for a, b, _s, k in self.requests if k == kind and a >= start and b <= end]

    @property
    def statuses(self) -> dict:
        out: dict = {}
        for _a, _b, s, _k in self.requests:
            out[s] = out.get(s, 0) + 1
        return out

    def during_staging(self) -> list:
        """Alice's requests that began and ended while Bob's rows were staged, not visible."""
        staged = [t for t, s, _c in self.samples if s > 0]
        if not staged:
            return []
        return [r for r in self.requests if r[0] >= staged[0] and r[1] <= staged[-1]]


def _query(live: Scratch, sql: str, params=()) -> list[tuple]:
    if live.databases:
        import psycopg

        with psycopg.connect(live._url(live.databases[0])) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()
    import sqlite3

    db = live.home / "carnet.sqlite3"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _counts(live: Scratch, bob: int) -> tuple[int, int]:
    """(staged rows, current rows) of Bob's record, from one statement (one moment)."""
    try:
        return tuple(
            _query(
                live,
                "SELECT COALESCE(SUM(CASE WHEN staged_import IS NOT NULL THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN is_current = ? THEN 1 ELSE 0 END), 0) "
                "FROM records_resourceversion WHERE patient_id = ?",
                (True, bob),
            )[0]
        )
    except Exception:  # a version of Carnet without staged imports (for comparison)
        current = _query(
            live,
            "SELECT COUNT(*) FROM records_resourceversion WHERE patient_id = ? AND is_current = ?",
            (bob, True),
        )[0][0]
        return -1, current


def _request(url: str, token: str, body: bytes | None = None) -> int:
    req = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return f"{type(exc).__name__}"


def run(
    source: Path,
    workdir: Path,
    *,
    entries: int | None = None,
    max_bytes: int | None = None,
    idle_seconds: float = 5.0,
    clients: int = 2,
    small: Path | None = None,
) -> Result:
    """Alice's clients idle, then during Bob's big import; everything measured."""
    result = Result()
    live = Scratch(workdir / "home")
    big = workdir / "big.json"
    data = multiply(json.loads(source.read_bytes()), entries=entries, max_bytes=max_bytes)
    big.write_bytes(data)
    parsed = json.loads(data)
    result.entries, result.bytes = len(parsed["entry"]), len(data)
    shared = {"Practitioner", "Organization", "Location", "PractitionerRole"}
    result.expected = sum(1 for e in parsed["entry"] if e["resource"]["resourceType"] not in shared)
    del parsed, data
    small = small or min(SYNTHEA, key=lambda p: p.stat().st_size)
    server = None
    try:
        ids = json.loads(
            live.python(SETUP.format(alice=ALICE, bob=BOB, small=str(small))).splitlines()[-1]
        )
        token, bob = ids["token"], ids["bob"]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(workdir / "serve.log", "wb")  # noqa: SIM115 - kept for the server's life
        server = live.popen(
            [str(CARNET), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_ready(base, server)
        read_url = f"{base}/fhir/R4/Observation?_count=20"
        stop = threading.Event()
        lock = threading.Lock()
        writes = [0]

        def client(n: int) -> None:
            i = 0
            while not stop.is_set():
                i += 1
                kind, body, url = "read", None, read_url
                # Now and then, while the import runs, a small import of her own.
                if n == 0 and i % 15 == 0 and result.import_started and writes[0] < SMALL_WRITES:
                    writes[0] += 1
                    kind, body, url = "write", json.dumps(SMALL_BUNDLE).encode(), f"{base}/fhir/R4"
                t = time.monotonic()
                status = _request(url, token, body)
                with lock:
                    result.requests.append((t, time.monotonic(), status, kind))

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
        time.sleep(idle_seconds)
        result.idle_until = time.monotonic()
        result.import_started = time.monotonic()
        proc = live.popen(
            [str(CARNET), "import", str(big), "--owner", BOB, "--quiet"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        while proc.poll() is None:
            staged, current = _counts(live, bob)
            result.samples.append((time.monotonic(), staged, current))
            time.sleep(0.2)
        result.import_ended = time.monotonic()
        result.import_seconds = result.import_ended - result.import_started
        out, err = proc.communicate()
        result.import_returncode, result.import_stderr = proc.returncode, err.decode()[-3000:]
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=150)
        result.bob_current = _query(
            live,
            "SELECT COUNT(*) FROM records_resourceversion WHERE patient_id = ? AND is_current = ?",
            (bob, True),
        )[0][0]
        result.bob_staged = _counts(live, bob)[0]
        try:
            result.stages = _query(
                live, "SELECT state FROM records_stagedimport WHERE patient_id = ?", (bob,)
            )
        except Exception:  # a version of Carnet without staged imports (for comparison)
            result.stages = []
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        live.drop()
    return result


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[-1]


def report(r: Result) -> None:
    from bench.__main__ import line

    idle = r.latencies(0, r.idle_until)
    during = r.latencies(r.import_started, r.import_ended)
    print(
        f"big import: {r.bytes / 1e6:.1f} MB, {r.entries:,} entries into Bob's record while "
        f"Alice reads hers ({len(idle)} requests idle, {len(during)} during the import)"
    )
    idle_p95, during_p95 = p95(idle) * 1000, p95(during) * 1000
    line(
        "Alice's p95 during the import",
        during_p95,
        "ms",
        idle_p95 * P95_LIMIT,
        "3x idle p95",
        "lower",
    )
    staged = [t for t, n, _c in r.samples if n > 0]
    if staged:
        # Where the time goes: checking the file (validation: CPU only, no writes) vs
        # writing it (short batches that take the write lock in turn).
        checking = r.latencies(r.import_started, staged[0])
        writing = r.latencies(staged[0], staged[-1])
        print(
            f"  p95 while the file is checked (no writes): {p95(checking) * 1000:,.1f} ms "
            f"({len(checking)} requests); while it is written: {p95(writing) * 1000:,.1f} ms "
            f"({len(writing)} requests, {staged[-1] - staged[0]:.1f} s)"
        )
    line(
        "Alice's slowest during the import",
        max(during, default=0) * 1000,
        "ms",
        10_000,
        "busy wait 10 s",
        "lower",
    )
    line(
        "import rate",
        r.entries / max(r.import_seconds, 1e-9),
        "entries/s",
        1000.0,
        "target 1,000/s",
        "higher",
    )
    bad = {s: n for s, n in r.statuses.items() if s != 200}
    print(
        f"  answers to Alice: {r.statuses}; {'ok' if not bad else 'FAILED: ' + str(bad)}; "
        f"import {'committed' if r.import_returncode == 0 and r.bob_current == r.expected else 'FAILED'} "
        f"({r.bob_current:,} of {r.expected:,} items visible, {r.bob_staged} staged rows left)"
    )


def main() -> int:
    mb = float(os.environ.get("CARNET_BENCH_BIG_IMPORT_MB") or 20)
    source = max(SYNTHEA, key=lambda p: p.stat().st_size)
    with tempfile.TemporaryDirectory(prefix="carnet-big-import-") as tmp:
        r = run(source, Path(tmp), max_bytes=int(mb * 1024 * 1024) - 1024, idle_seconds=8)
    report(r)
    if r.import_returncode:
        print(r.import_stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
