"""Key rotation while the server runs: every request before, during and after it succeeds."""

import json
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from .cli import CARNET, carnet, env_for, fresh_install
from .helpers import smallest_synthea, synthea


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read())


@pytest.fixture
def server(tmp_path):
    fresh_install(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [str(CARNET), "serve", "--port", str(port), "--no-worker"],
        env=env_for(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/fhir/R4/metadata", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + proc.stderr.read().decode()[-2000:])
    yield tmp_path, base
    proc.terminate()
    proc.wait(timeout=10)


def _citizen_with_record(home, email, bundle):
    carnet(home, "user", "create", email, input="a long enough passphrase\n")
    carnet(home, "import", str(bundle), "--owner", email, "--quiet")
    return carnet(home, "token", "create", email).stdout.strip()


@pytest.mark.no_db
def test_records_stay_readable_while_the_master_key_rotates(server):
    home, base = server
    token = _citizen_with_record(home, "alice@example.org", smallest_synthea())
    _, found = _get(base + "/fhir/R4/Patient", token)
    patient_id = found["entry"][0]["resource"]["id"]
    url = f"{base}/fhir/R4/Patient/{patient_id}/$everything"
    expected = len(_get(url, token)[1]["entry"])
    ring_before = json.loads((home / "master.key").read_text())["current"]

    results, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                status, body = _get(url, token)
                results.append((status, len(body.get("entry", []))))
            except Exception as exc:  # recorded, asserted below
                results.append((repr(exc), 0))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        out = carnet(home, "keys", "rotate")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert "data keys re-wrapped" in out.stdout
    assert results, "requests ran during the rotation"
    assert set(results) == {(200, expected)}
    assert json.loads((home / "master.key").read_text())["current"] != ring_before

    # A record made after the rotation (its key wrapped by the new master key, unknown to
    # the server's cache) is read by the same, never restarted, server.
    late = _citizen_with_record(home, "late@example.org", synthea("Gustavo"))
    _, found = _get(base + "/fhir/R4/Patient", late)
    assert found["total"] == 1
    assert _get(url, token)[1]["entry"] and len(_get(url, token)[1]["entry"]) == expected
