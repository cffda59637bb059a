"""Sign-in: median and p95 of one sign-in, alone and with 20 people signing in at once.

    python -m bench.signin                  # CARNET_SIGNIN_ROUNDS (default 3) rounds

A private install (bench.crash.Scratch: a temporary data directory) with 20 citizens,
served by `carnet serve` on 127.0.0.1. A sign-in is the POST of the sign-in form (the
address and password), timed from the request to the answer's redirect; the form page is
fetched before the clock starts. "At once": 20 threads post together, each for its own
account. The limit is DESIGN.md's: sign-in p95 <= 1 s with 20 signing in at once; the
figures are printed as ratios to it (the alone figures against the same second).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.crash import CARNET, Scratch, _free_port, _wait_ready

LIMIT_S = 1.0
PEOPLE = 20
PASSWORD = "Tilleul-Garonne-Brique-31"  # noqa: S105 - a benchmark account

CREATE = f"""
from carnet.accounts import services
for n in range({PEOPLE}):
    services.create_user(f"signin-{{n}}@example.org", {PASSWORD!r})
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, n: int, ready: threading.Barrier | None = None) -> float:
    """Seconds for person n's sign-in POST (the form page is read first, off the clock).

    Each person comes from their own address, as seen by the trusted proxy in front of
    the server (X-Forwarded-For, CARNET_TRUSTED_PROXIES=127.0.0.1): the per-address
    limits apply to each, not to the benchmark as a whole.
    """
    email = f"signin-{n % PEOPLE}@example.org"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.addheaders = [("X-Forwarded-For", f"198.18.{n // 250}.{n % 250 + 1}")]
    page = opener.open(base + "/accounts/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback http
        base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
    )
    if ready is not None:
        ready.wait()
    t = time.perf_counter()
    try:
        opener.open(request, timeout=120)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    elapsed = time.perf_counter() - t
    if status != 302:
        raise AssertionError(f"sign-in of {email} answered {status}, not a redirect")
    return elapsed


def together(base: str, n: int, offset: int) -> list[float]:
    ready = threading.Barrier(n)
    out: list[float] = []
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            out.append(sign_in(base, i, ready))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            ready.abort()

    threads = [threading.Thread(target=one, args=(offset + i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return out


def hash_ms(time_cost: int, memory_cost: int, parallelism: int, n: int = 10) -> float:
    """Median milliseconds of one Argon2id hash with these parameters."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        hasher.hash(PASSWORD)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def run(rounds: int | None = None) -> dict:
    from bench.__main__ import line

    rounds = rounds or int(os.environ.get("CARNET_SIGNIN_ROUNDS") or 3)
    live = Scratch(Path(tempfile.mkdtemp(prefix="carnet-signin-")))
    server = None
    try:
        live.carnet("migrate", "--noinput", "-v0")
        live.carnet("migrate", "--database", "keystore", "--noinput", "-v0")
        live.python(CREATE)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(live.home / "serve.log", "wb")  # noqa: SIM115 - kept for the server's life
        server = subprocess.Popen(
            [str(CARNET), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**live.env, "CARNET_TRUSTED_PROXIES": "127.0.0.1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_ready(base, server)
        sign_in(base, 0)  # warm-up
        alone = [sign_in(base, i) for i in range(10 * rounds)]
        crowd: list[float] = []
        for r in range(rounds):
            crowd += together(base, PEOPLE, 1000 + r * PEOPLE)
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
    from carnet.accounts.hashers import Argon2idHasher

    ours = hash_ms(Argon2idHasher.time_cost, Argon2idHasher.memory_cost, Argon2idHasher.parallelism)
    django_default = hash_ms(2, 102400, 8)  # Django 5.2's Argon2PasswordHasher
    figures = {
        "alone_median": statistics.median(alone),
        "alone_p95": p95(alone),
        "crowd_median": statistics.median(crowd),
        "crowd_p95": p95(crowd),
    }
    print(
        f"sign-in: {len(alone)} alone, {rounds} rounds of {PEOPLE} at once "
        f"(Argon2id m=19 MiB, t=2, p=1), {os.cpu_count()} cores"
    )
    line(
        "one Argon2id hash (m=19 MiB, t=2, p=1)",
        ours,
        "ms",
        django_default,
        "Django's 100 MiB, t=2, p=8",
        "lower",
    )
    limit = LIMIT_S * 1000
    line("sign-in alone, median", figures["alone_median"] * 1000, "ms", limit, "1 s", "lower")
    line("sign-in alone, p95", figures["alone_p95"] * 1000, "ms", limit, "1 s", "lower")
    line(
        f"sign-in {PEOPLE} at once, median",
        figures["crowd_median"] * 1000,
        "ms",
        limit,
        "1 s",
        "lower",
    )
    line(
        f"sign-in {PEOPLE} at once, p95",
        figures["crowd_p95"] * 1000,
        "ms",
        limit,
        "target p95 1 s",
        "lower",
    )
    return figures


if __name__ == "__main__":
    run()
