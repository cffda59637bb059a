"""Load: Locust users against a real `carnet serve`, beside the same stack serving a static page.

    python -m bench.load                       # SQLite, then PostgreSQL when DATABASE_URL is set
    CARNET_LOAD_SECONDS=60 CARNET_LOAD_USERS=40 python -m bench.load
    python -m bench.load --sqlite --json       # one run, figures as JSON (tests/test_load_short.py)

Each run is a private install (bench.crash.Scratch: a temporary data directory, and on
PostgreSQL two scratch databases created beside DATABASE_URL's and dropped at the end)
with the demo people (`carnet demo`), served by `carnet serve` (web server and job worker
in one process) on 127.0.0.1 only. Locust runs headless, in this process, for
CARNET_LOAD_SECONDS (default 30) with CARNET_LOAD_USERS (default 20) users who never wait
between requests, so the figures are the server's capacity on this machine:

* citizens (the five demo citizens, 3 in 4 users) sign in, then read their home page and
  their timeline, search their Observations through the FHIR API with a Bearer token, and
  add a blood-pressure measurement through the entry form;
* practitioners (the demo professionals, 1 in 4 users) sign in, list the records shared
  with them, and read a shared record through the FHIR API ($everything, a search).

The limit is the same server, same users and duration, answering a static page through the
whole Django stack (middleware, session, template; no database): "/au-revoir/". Printed:
requests per second, median and p95 latency, errors, each beside the static figure.
"""

# Locust patches the standard library for gevent when imported: first, and only in this
# process (`make bench` and the tests run this module as a subprocess).
from locust import HttpUser, constant, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import gevent
from gevent.lock import BoundedSemaphore

from bench.crash import CARNET, Scratch, _free_port, _wait_ready

STATIC_PAGE = "/au-revoir/"
BP_CODE = "http://loinc.org|85354-9"

# Every demo citizen names Dr Garonne their médecin traitant (the demo shares nothing by
# itself), and everyone gets an API token.
ACCOUNTS = """
import json
from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services
from carnet.accounts.models import User
from carnet.demo import personas

gp = User.objects.get(email=personas.GP.email)
out = []
for a in [*personas.CITIZENS, *personas.PRACTITIONERS]:
    user = User.objects.get(email=a.email)
    if a.role == "citizen":
        grants.set_referent(Actor.of_user(user), services.patient_of(user).pk, gp.pk)
    _token, raw = services.create_token(user, "load test")
    out.append({"email": a.email, "password": a.password, "role": a.role, "token": raw})
print(json.dumps(out))
"""


def seconds() -> int:
    return int(os.environ.get("CARNET_LOAD_SECONDS") or 30)


def users() -> int:
    return int(os.environ.get("CARNET_LOAD_USERS") or 20)


# --- Who does what ---------------------------------------------------------------------------


# Sign-ins are set-up, a few at a time: allauth counts sign-ins in flight from one address
# (10 a minute) before it knows they succeed, and every user here comes from 127.0.0.1.
SIGN_INS = BoundedSemaphore(4)


class Signed(HttpUser):
    """A person signed in through the sign-in form, with their API token."""

    abstract = True
    wait_time = constant(0)
    pool: itertools.cycle = itertools.cycle([])

    def on_start(self) -> None:
        self.account = next(self.pool)
        self.auth = {"Authorization": f"Bearer {self.account['token']}"}
        with SIGN_INS:
            self.sign_in()
        # A first visit does each thing once, then the tasks go by their weights.
        for do in dict.fromkeys(self.tasks):
            do(self)

    def sign_in(self) -> None:
        self.client.get("/accounts/login/", name="sign in form")
        with self.client.post(
            "/accounts/login/",
            {
                "login": self.account["email"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class Citizen(Signed):
    weight = 3
    pool = itertools.cycle([])

    @task(4)
    def home(self) -> None:
        self.client.get("/", name="citizen: home page")

    @task(2)
    def timeline(self) -> None:
        self.client.get("/dossier/chronologie/", name="citizen: timeline")

    @task(3)
    def fhir_search(self) -> None:
        self.client.get(
            "/fhir/R4/Observation",
            params={"code": BP_CODE, "_count": "20"},
            headers=self.auth,
            name="citizen: FHIR Observation search",
        )

    @task(1)
    def add_blood_pressure(self) -> None:
        day = random.randint(1, 28)
        with self.client.post(
            "/dossier/ajouter/tension/",
            {
                "csrfmiddlewaretoken": self.csrf(),
                "when": f"2025-02-{day:02d}T08:30",
                "systolic": str(random.randint(110, 145)),
                "diastolic": str(random.randint(65, 90)),
            },
            name="citizen: add a blood pressure",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"entry answered {response.status_code}")


class Practitioner(Signed):
    weight = 1
    pool = itertools.cycle([])

    @task(1)
    def patients(self) -> None:
        self.client.get("/pro/patients/", name="practitioner: shared records")

    @task(2)
    def everything(self) -> None:
        patient = random.choice(self.account["patients"])
        self.client.get(
            f"/fhir/R4/Patient/{patient}/$everything",
            headers=self.auth,
            name="practitioner: FHIR $everything",
        )

    @task(2)
    def search(self) -> None:
        patient = random.choice(self.account["patients"])
        self.client.get(
            "/fhir/R4/Observation",
            params={"patient": patient, "_count": "20"},
            headers=self.auth,
            name="practitioner: FHIR Observation search",
        )


class Visitor(HttpUser):
    """The limit: the same stack answering a page that needs no database."""

    wait_time = constant(0)

    @task
    def static(self) -> None:
        self.client.get(STATIC_PAGE, name="static page")


# --- A server with the demo people -----------------------------------------------------------


def _get_json(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def _accounts(live: Scratch, base: str) -> tuple[list[dict], list[dict]]:
    """Demo citizens and the practitioners who can read at least one of their records."""
    accounts = json.loads(live.python(ACCOUNTS).strip().splitlines()[-1])
    citizens = [a for a in accounts if a["role"] == "citizen"]
    for a in citizens:
        _status, bundle = _get_json(base + "/fhir/R4/Patient", a["token"])
        a["patient"] = bundle["entry"][0]["resource"]["id"]
    practitioners = []
    for a in accounts:
        if a["role"] != "practitioner":
            continue
        a["patients"] = [
            c["patient"]
            for c in citizens
            if _get_json(f"{base}/fhir/R4/Observation?patient={c['patient']}&_count=1", a["token"])[
                0
            ]
            == 200
        ]
        if a["patients"]:
            practitioners.append(a)
    return citizens, practitioners


@contextmanager
def serving(vendor: str):
    """A private install with the demo data, served on a free loopback port."""
    saved = os.environ.get("DATABASE_URL")
    if vendor == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    try:
        live = Scratch(Path(tempfile.mkdtemp(prefix="carnet-load-")))
    finally:
        if saved is not None:
            os.environ["DATABASE_URL"] = saved
    server = None
    try:
        live.carnet("migrate", "--noinput", "-v0")
        live.carnet("migrate", "--database", "keystore", "--noinput", "-v0")
        live.carnet("demo")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(live.home / "serve.log", "wb")  # noqa: SIM115 - kept for the server's life
        server = live.popen(
            [str(CARNET), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_ready(base, server)
        yield live, base
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        live.drop()
        shutil.rmtree(live.home, ignore_errors=True)


# --- Running Locust --------------------------------------------------------------------------


def swarm(base: str, user_classes: list, n_users: int, duration: int) -> dict:
    """Run Locust headless for ``duration`` seconds; the figures, overall and per request."""
    env = Environment(user_classes=user_classes, host=base)
    runner = env.create_local_runner()
    runner.start(n_users, spawn_rate=n_users)
    gevent.spawn_later(duration, runner.quit)
    runner.greenlet.join()
    stats = env.stats
    exceptions = [f"{e['count']}x {e['msg']}" for e in runner.exceptions.values()]
    # The sign-in is set-up, not load: leave it out of the figures (its errors still count).
    measured = [e for e in stats.entries.values() if not e.name.startswith("sign in")]
    total = stats.total
    from locust.stats import StatsEntry

    merged = StatsEntry(stats, "measured", "")
    for entry in measured:
        merged.extend(entry)
    elapsed = max(total.last_request_timestamp - total.start_time, 1e-9) if measured else 1.0
    return {
        "requests": merged.num_requests,
        "errors": total.num_failures + sum(e["count"] for e in runner.exceptions.values()),
        "rps": merged.num_requests / elapsed,
        "median_ms": merged.get_response_time_percentile(0.5) or 0.0,
        "p95_ms": merged.get_response_time_percentile(0.95) or 0.0,
        "by_name": {
            e.name: {"requests": e.num_requests, "errors": e.num_failures} for e in measured
        },
        "failures": [
            f"{f.method} {f.name}: {f.error} ({f.occurrences}x)" for f in stats.errors.values()
        ]
        + exceptions,
    }


def run(vendor: str, n_users: int, duration: int) -> dict:
    with serving(vendor) as (live, base):
        citizens, practitioners = _accounts(live, base)
        Citizen.pool = itertools.cycle(citizens)
        Practitioner.pool = itertools.cycle(practitioners)
        static = swarm(base, [Visitor], n_users, duration)
        carnet = swarm(base, [Citizen, Practitioner], n_users, duration)
        log = (live.home / "serve.log").read_text(errors="replace").splitlines()
    return {
        "server_log": log[-80:] if carnet["errors"] or static["errors"] else [],
        "vendor": vendor,
        "users": n_users,
        "seconds": duration,
        "cores": os.cpu_count(),
        "static": static,
        "carnet": carnet,
    }


def report(result: dict) -> None:
    from bench.__main__ import line

    s, c = result["static"], result["carnet"]
    print(
        f"load on {result['vendor']}: {result['users']} users, {result['seconds']} s, "
        f"{result['cores']} cores, server and Locust on this machine "
        f"({c['requests']:,} requests; static page {s['requests']:,})"
    )
    line("throughput", c["rps"], "req/s", s["rps"], "static page, same stack", None)
    line("median latency", c["median_ms"], "ms", s["median_ms"], "static page, same stack", None)
    line("p95 latency", c["p95_ms"], "ms", s["p95_ms"], "static page, same stack", None)
    print(f"  {'errors':<36} {c['errors']:>10,} {'':<12} vs {s['errors']:>10,} (static page)")
    for name, figures in sorted(c["by_name"].items()):
        print(f"    {name:<44} {figures['requests']:>8,} requests {figures['errors']:>5,} errors")
    for failure in c["failures"][:10]:
        print(f"    ! {failure}")
    if result["server_log"]:
        print("  the server's log ends with:")
        for log_line in result["server_log"]:
            print(f"    | {log_line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    vendors = ["sqlite"]
    if not args.sqlite and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        vendors.append("postgresql")
    results = [run(vendor, users(), seconds()) for vendor in vendors]
    if args.json:
        print(json.dumps(results))
    else:
        for result in results:
            report(result)
    return 1 if any(r["carnet"]["errors"] or r["static"]["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
