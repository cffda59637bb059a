"""The load scenario, short: a few citizens and a practitioner against a real server.

`python -m bench.load` (make bench) runs it for 30 s with 20 users on SQLite and on
PostgreSQL and prints the figures; here it runs a few seconds on SQLite, and what must
hold is that every kind of request was made and none failed. No timing is asserted: the
machine is shared.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_db  # everything runs in a private install, in a subprocess

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "citizen: home page",
    "citizen: timeline",
    "citizen: FHIR Observation search",
    "citizen: add a blood pressure",
    "practitioner: shared records",
    "practitioner: FHIR $everything",
    "practitioner: FHIR Observation search",
}


def test_citizens_and_practitioners_under_load_get_no_error():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(CARNET_LOAD_SECONDS="3", CARNET_LOAD_USERS="4", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", "--sqlite", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.stdout.strip(), done.stderr[-3000:]
    [result] = json.loads(done.stdout.strip().splitlines()[-1])
    carnet, static = result["carnet"], result["static"]
    assert result["vendor"] == "sqlite"
    assert carnet["errors"] == 0, carnet["failures"]
    assert static["errors"] == 0, static["failures"]
    ran = {name for name, figures in carnet["by_name"].items() if figures["requests"] > 0}
    assert ran == SCENARIOS
    assert static["by_name"]["static page"]["requests"] > 0
    assert done.returncode == 0, done.stderr[-3000:]
