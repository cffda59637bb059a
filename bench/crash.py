"""Crash-safety: SIGKILL a real `carnet serve` and `carnet import` in the middle of writes,
many times, restart, and check that every acknowledged write is there, that nothing is
half-written and that the access history verifies.

    python -m bench.crash [--rounds N] [--seed S]      # long form (make bench); default 40
    CARNET_CRASH_ROUNDS=200 python -m bench.crash

Each round starts `carnet serve` (web server and job worker) on a private install, and,
while it runs:

* two API clients POST bundles of ~76 resources (each resource tagged with its attempt),
  and one client searches (an audited read), counting what was answered 200;
* a `carnet import FILE --owner EMAIL` process imports a tagged bundle;
* a Python process imports French CDA documents one after another (encrypted original
  file, DocumentReference, resources), printing each one it finished;
* once per run, `carnet backup` runs to its end in the middle of all this;

then everything is killed with SIGKILL at a random moment. At the end: every acknowledged
import is there whole, every import that is there at all is whole (no attempt has some but
not all of its resources), every acknowledged document has its row and its file, every
document row opens, `carnet audit verify` passes, and the backup made while serving
restores into an empty install with the same guarantees.

On PostgreSQL (DATABASE_URL=postgres://…) the install uses scratch databases
`carnet_crash_<random>` (and `…_keys`) on that server, dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
# The files it imports ship with the tests (tests/data), so the CI form runs on a lone clone.
DATA = ROOT / "tests" / "data"
SYNTHEA = sorted((DATA / "synthea").glob("*.json"))
CDA = DATA / "cda" / "fr" / "VAC_2023.01.xml"
CARNET = Path(sys.executable).with_name("carnet")
EMAIL = "crash@example.org"
TAG_SYSTEM = "urn:carnet:crash-attempt"
SHARED_TYPES = {"Practitioner", "Organization", "Location", "PractitionerRole"}


# --- A private install ------------------------------------------------------------------------


class Scratch:
    """A data directory, and on PostgreSQL two scratch databases, for the real command."""

    def __init__(self, home: Path, master_key: bytes | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        if master_key is not None:
            (self.home / "master.key").write_bytes(master_key)
            os.chmod(self.home / "master.key", 0o600)
        self.pg = os.environ.get("DATABASE_URL", "")
        self.databases: list[str] = []
        if self.pg.startswith(("postgres://", "postgresql://")):
            import psycopg

            base = f"carnet_crash_{secrets.token_hex(5)}"
            with psycopg.connect(self._url("postgres"), autocommit=True) as conn:
                for name in (base, base + "_keys"):
                    conn.execute(f'CREATE DATABASE "{name}"')
                    self.databases.append(name)

    def _url(self, name: str) -> str:
        return urlunparse(urlparse(self.pg)._replace(path=f"/{name}"))

    @property
    def vendor(self) -> str:
        return "postgresql" if self.databases else "sqlite"

    @property
    def env(self) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "CARNET_", "PYTEST_"))
        }
        env["CARNET_DATA_DIR"] = str(self.home)
        env["DJANGO_SETTINGS_MODULE"] = "carnet.settings"
        if self.databases:
            env["DATABASE_URL"] = self._url(self.databases[0])
            env["CARNET_KEYSTORE_URL"] = self._url(self.databases[1])
        return env

    def carnet(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        r = subprocess.run(
            [str(CARNET), *args], env=self.env, capture_output=True, text=True, timeout=600
        )
        if check and r.returncode:
            raise AssertionError(f"carnet {' '.join(args)} failed:\n{r.stderr[-3000:]}")
        return r

    def popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(args, env=self.env, **kwargs)

    def python(self, code: str) -> str:
        r = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if r.returncode:
            raise AssertionError(f"python failed:\n{r.stderr[-3000:]}")
        return r.stdout

    def drop(self) -> None:
        if self.databases:
            import psycopg

            with psycopg.connect(self._url("postgres"), autocommit=True) as conn:
                for name in self.databases:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.databases = []


SETUP = f"""
import json
from pathlib import Path
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("migrate", database="keystore", interactive=False, verbosity=0)
from carnet.accounts import services as accounts
from carnet.records import store
user = accounts.create_user({EMAIL!r}, "a long enough passphrase", role="citizen")
_, token = accounts.create_token(user, "crash")
call_command("import", {{bundle!r}}, owner={EMAIL!r}, quiet=True)
pid = accounts.patient_of(user).pk
fid = store.current_rows(pid, "Patient").values_list("fhir_id", flat=True).get()
print(json.dumps({{"token": token, "patient": fid, "pid": pid}}))
"""

CDA_LOOP = f"""
import sys
from pathlib import Path
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers
data = Path({str(CDA)!r}).read_bytes()
pid = accounts.patient_for_email({EMAIL!r}).pk
tag = sys.argv[1]
for i in range(10000):
    name = f"{{tag}}-{{i}}"
    r = importers.import_file(
        Actor.operator(), pid, data + f"<!-- {{name}} -->".encode(), "vac.xml", Purpose.OPERATIONS
    )
    assert r.created > 0 and not r.duplicate
    print("ACK", name, flush=True)
"""

CHECK = f"""
import json, sys
from pathlib import Path
from django.conf import settings
from carnet.access import audit
from carnet.access import services as access
from carnet.access.models import AuditEntry
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import documents, exports
from carnet.records.models import Blob
pid = accounts.patient_for_email({EMAIL!r}).pk
bundle = exports.export_bundle(Actor.operator(), pid, Purpose.OPERATIONS)
tags = {{}}
attached = set()
for e in bundle["entry"]:
    if e["resource"]["resourceType"] == "DocumentReference":
        for c in e["resource"].get("content") or []:
            attached.add(((c.get("attachment") or {{}}).get("url") or "").removeprefix("Binary/"))
    for t in (e["resource"].get("meta") or {{}}).get("tag") or []:
        if t.get("system") == {TAG_SYSTEM!r}:
            tags[t["code"]] = tags.get(t["code"], 0) + 1
rows = list(Blob.objects.values_list("patient_id", "blob_id", "sha256"))
unreadable = 0
for p, b, _ in rows:
    try:
        documents.get(access.decide(Actor.operator(), p, Action.READ, Purpose.OPERATIONS), b)
    except Exception:
        unreadable += 1
named = {{(str(p), b) for p, b, _ in rows}}
files = [f for f in Path(settings.BLOB_DIR).glob("*/*")]
orphans = sum(1 for f in files if (f.parent.name, f.name) not in named)
checked, problems = audit.verify_all()
print(json.dumps({{
    "tags": tags, "shas": sorted(s for _, _, s in rows), "blob_rows": len(rows),
    "unreadable_blobs": unreadable, "orphan_files": orphans,
    "unattached_blobs": sum(1 for _, b, _ in rows if b not in attached),
    "audit_entries": AuditEntry.objects.filter(patient_id=pid).count(),
    "audit_checked": checked, "audit_problems": [str(p) for p in problems],
}}))
"""


# --- The run ----------------------------------------------------------------------------------


@dataclass
class Report:
    vendor: str = ""
    rounds: int = 0
    kills: int = 0
    api_acked: int = 0
    api_unacked: int = 0
    cli_acked: int = 0
    cli_killed: int = 0
    cda_acked: int = 0
    reads_acked: int = 0
    present: int = 0  # attempts found in the record (acknowledged or not)
    half_written: list = field(default_factory=list)
    lost: list = field(default_factory=list)
    lost_documents: int = 0
    unreadable_blobs: int = 0
    orphan_files: int = 0
    unattached_blobs: int = 0  # document rows no DocumentReference names (left by a kill)
    audit_entries: int = 0
    audit_ok: bool = False
    backup_restored: bool | None = None
    backup_half_written: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.half_written
            and not self.lost
            and not self.lost_documents
            and not self.unreadable_blobs
            and self.audit_ok
            and self.backup_restored is not False
            and not self.backup_half_written
        )

    def summary(self) -> str:
        return (
            f"{self.vendor}: {self.rounds} rounds, {self.kills} SIGKILLs; acknowledged: "
            f"{self.api_acked} API imports, {self.cli_acked} CLI imports, {self.cda_acked} CDA "
            f"documents, {self.reads_acked} reads; unacknowledged: {self.api_unacked} API "
            f"imports, {self.cli_killed} CLI imports killed; present {self.present}; "
            f"half-written {len(self.half_written)}, lost {len(self.lost)}, lost documents "
            f"{self.lost_documents}, unreadable documents {self.unreadable_blobs}, orphan files "
            f"{self.orphan_files}, document rows without a DocumentReference "
            f"{self.unattached_blobs}; audit {'verifies' if self.audit_ok else 'BROKEN'} "
            f"({self.audit_entries} entries); backup made while serving "
            f"{'restores' if self.backup_restored else 'n/a' if self.backup_restored is None else 'FAILED'}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _attempt(base: dict, patient_urls: set[str], fid: str, tag: str) -> bytes:
    bundle = json.loads(json.dumps(base))
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
    for e in bundle["entry"]:
        res = e["resource"]
        if res["resourceType"] not in SHARED_TYPES:
            res.setdefault("meta", {}).setdefault("tag", []).append(
                {"system": TAG_SYSTEM, "code": tag}
            )
    text = json.dumps(bundle)
    for url in patient_urls:
        text = text.replace(f'"{url}"', f'"Patient/{fid}"')
    return text.encode()


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("carnet serve exited at start")
        try:
            urllib.request.urlopen(base + "/fhir/R4/metadata", timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("carnet serve did not start")


def _kill(proc: subprocess.Popen | None) -> bool:
    if proc is None or proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def run(rounds: int = 5, seed: int | None = None, workdir: Path | None = None, log=print) -> Report:
    seed = random.randrange(1 << 30) if seed is None else seed
    rng = random.Random(seed)
    own_dir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="carnet-crash-"))
    base_path = min(SYNTHEA, key=lambda p: p.stat().st_size)
    base = json.loads(base_path.read_text())
    patient_urls = {
        e.get("fullUrl", "") for e in base["entry"] if e["resource"]["resourceType"] == "Patient"
    }
    patient_urls |= {
        f"Patient/{e['resource'].get('id')}"
        for e in base["entry"]
        if e["resource"]["resourceType"] == "Patient"
    }
    size = sum(
        1 for e in base["entry"] if e["resource"]["resourceType"] not in SHARED_TYPES | {"Patient"}
    )
    cda = CDA.read_bytes()
    live = Scratch(workdir / "live")
    report = Report(vendor=live.vendor, rounds=rounds)
    installs = [live]
    log(f"crash: {live.vendor}, {rounds} rounds, seed {seed}, {workdir}")
    try:
        info = json.loads(
            live.python(SETUP.replace("{bundle!r}", repr(str(base_path)))).splitlines()[-1]
        )
        acked: set[str] = set()
        attempted: set[str] = set()
        cda_acked: list[str] = []
        backup_round = rng.randrange(rounds) if rounds else -1
        backup_file = workdir / "while-serving.carnet"
        for rnd in range(rounds):
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            err = open(workdir / f"serve-{rnd}.log", "wb")
            server = live.popen([str(CARNET), "serve", "--port", str(port)], stderr=err)
            _wait_ready(url, server)
            stop = threading.Event()
            lock = threading.Lock()
            reads = [0]

            def writer(w: int, rnd=rnd, url=url, stop=stop, lock=lock) -> None:
                for i in range(10000):
                    if stop.is_set():
                        return
                    tag = f"r{rnd}-w{w}-{i}"
                    with lock:
                        attempted.add(tag)
                    req = urllib.request.Request(  # noqa: S310 (http on loopback)
                        url + "/fhir/R4",
                        data=_attempt(base, patient_urls, info["patient"], tag),
                        headers={
                            "Authorization": f"Bearer {info['token']}",
                            "Content-Type": "application/fhir+json",
                        },
                        method="POST",
                    )
                    try:
                        with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310
                            if resp.status == 200:
                                with lock:
                                    acked.add(tag)
                    except (OSError, urllib.error.HTTPError):
                        return  # the server was killed: this attempt is unacknowledged

            def reader(url=url, stop=stop, reads=reads) -> None:
                q = url + "/fhir/R4/Observation?_count=5"
                req = urllib.request.Request(  # noqa: S310
                    q, headers={"Authorization": f"Bearer {info['token']}"}
                )
                while not stop.is_set():
                    try:
                        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
                            if resp.status == 200:
                                reads[0] += 1
                    except OSError:
                        return

            threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
            threads.append(threading.Thread(target=reader))
            for t in threads:
                t.start()
            cli_tag = f"r{rnd}-cli"
            cli_file = workdir / f"{cli_tag}.json"
            cli_file.write_bytes(_attempt(base, patient_urls, info["patient"], cli_tag))
            attempted.add(cli_tag)
            cli = live.popen(
                [str(CARNET), "import", str(cli_file), "--owner", EMAIL, "--quiet"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            cda_out = open(workdir / f"cda-{rnd}.out", "wb")
            cda_proc = live.popen(
                [sys.executable, "-c", "import django; django.setup()\n" + CDA_LOOP, f"r{rnd}"],
                stdout=cda_out,
                stderr=subprocess.DEVNULL,
            )
            if rnd == backup_round:
                live.carnet("backup", str(backup_file), "--include-keys")
            # A random moment in the middle of the writes: after a random number of this
            # round's imports were acknowledged (0 to 3), plus up to 1.5 s.
            wanted = len(acked) + rng.randint(0, 3)
            deadline = time.monotonic() + 120
            while len(acked) < wanted and time.monotonic() < deadline and server.poll() is None:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 1.5))
            killed = [_kill(p) for p in (server, cli, cda_proc)]
            report.kills += sum(killed)
            stop.set()
            for t in threads:
                t.join(timeout=120)
            err.close()
            cda_out.close()
            if cli.returncode == 0:
                acked.add(cli_tag)
                report.cli_acked += 1
            else:
                report.cli_killed += 1
            for line in (workdir / f"cda-{rnd}.out").read_text().splitlines():
                if line.startswith("ACK "):
                    cda_acked.append(line[4:])
            report.reads_acked += reads[0]
            log(f"  round {rnd + 1}/{rounds}: {len(acked)} imports acknowledged so far")

        # Restart once more and look at everything.
        state = json.loads(live.python(CHECK).splitlines()[-1])
        report.api_acked = len([t for t in acked if "-w" in t])
        report.api_unacked = len([t for t in attempted - acked if "-w" in t])
        report.cda_acked = len(cda_acked)
        report.present = len(state["tags"])
        report.half_written = sorted(t for t, n in state["tags"].items() if n != size)
        report.lost = sorted(t for t in acked if state["tags"].get(t) != size)
        shas = set(state["shas"])
        report.lost_documents = sum(
            1
            for name in cda_acked
            if hashlib.sha256(cda + f"<!-- {name} -->".encode()).hexdigest() not in shas
        )
        report.unreadable_blobs = state["unreadable_blobs"]
        report.orphan_files = state["orphan_files"]
        report.unattached_blobs = state["unattached_blobs"]
        report.audit_entries = state["audit_entries"]
        verify = live.carnet("audit", "verify", check=False)
        report.audit_ok = (
            verify.returncode == 0
            and not state["audit_problems"]
            and state["audit_entries"] >= len(acked) + report.reads_acked
        )

        if backup_file.exists():
            restored = Scratch(
                workdir / "restored", master_key=(live.home / "master.key").read_bytes()
            )
            installs.append(restored)
            restored.python(
                "from django.core.management import call_command\n"
                "call_command('migrate', interactive=False, verbosity=0)\n"
                "call_command('migrate', database='keystore', interactive=False, verbosity=0)\n"
            )
            restored.carnet("restore", str(backup_file) + ".keystore")
            out = restored.carnet("restore", str(backup_file), check=False)
            after = (
                json.loads(restored.python(CHECK).splitlines()[-1]) if out.returncode == 0 else None
            )
            report.backup_restored = bool(
                after
                and "Access histories verified" in out.stdout
                and not after["audit_problems"]
                and not after["unreadable_blobs"]
            )
            if after:
                report.backup_half_written = sorted(
                    t for t, n in after["tags"].items() if n != size
                )
        log("  " + report.summary())
        return report
    finally:
        for install in installs:
            install.drop()
        if own_dir and report.ok:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("CARNET_CRASH_ROUNDS") or 40)
    )
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    report = run(args.rounds, args.seed)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
