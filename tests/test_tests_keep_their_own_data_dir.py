"""`make run` then `make test`: the suite never opens the demo's data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from carnet import pytest_plugin

from .cli import carnet, env_for, fresh_install
from .helpers import smallest_synthea

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.no_db
def test_this_run_opens_only_the_directory_it_made():
    from django.conf import settings

    made = pytest_plugin.TEST_DATA_DIR
    assert made is not None and (made / pytest_plugin.MARKER).is_file()
    assert Path(settings.DATA_DIR).resolve() == made
    assert Path(settings.MASTER_KEY_FILE).resolve().parent == made
    assert pytest_plugin.CHECKED


@pytest.mark.no_db
def test_a_data_dir_the_run_did_not_make_is_refused(tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    (made / pytest_plugin.MARKER).write_text("")
    demo = tmp_path / "var"
    demo.mkdir()

    def settings_in(data_dir: Path, key: Path | None = None):
        return SimpleNamespace(
            DATA_DIR=data_dir,
            MASTER_KEY_FILE=key or data_dir / "master.key",
            BLOB_DIR=data_dir / "blobs",
            CARNET_SMS_FILE=data_dir / "sms.jsonl",
            DATABASES={"default": {"ENGINE": "sqlite3", "NAME": data_dir / "carnet.sqlite3"}},
        )

    assert pytest_plugin.own_data_dir(settings_in(made), made)
    assert not pytest_plugin.own_data_dir(settings_in(demo), made)
    # Marked but not made by this run (a copy of an old test dir) is refused too.
    (demo / pytest_plugin.MARKER).write_text("")
    assert not pytest_plugin.own_data_dir(settings_in(demo), made)
    # The run's own directory with the real master key elsewhere is refused.
    assert not pytest_plugin.own_data_dir(settings_in(made, demo / "master.key"), made)


@pytest.mark.no_db
def test_make_test_after_make_run_leaves_the_demo_record_readable(tmp_path):
    # `make run`: a data directory with a person and their record.
    var = tmp_path / "var"
    fresh_install(var)
    carnet(var, "user", "create", "alice@example.org", input="a long enough passphrase\n")
    carnet(var, "import", str(smallest_synthea()), "--owner", "alice@example.org", "--quiet")
    key_before = (var / "master.key").read_bytes()
    before = tmp_path / "before.json"
    carnet(var, "export", "--patient", "alice@example.org", "-o", str(before))

    # `make test` in another terminal, with the Makefile's CARNET_DATA_DIR=var exported:
    # a part of the suite that writes keys, records and a master key of its own.
    env = env_for(var) | {"CARNET_MASTER_KEY_FILE": str(var / "master.key")}
    env.pop("DJANGO_SETTINGS_MODULE")
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_keys_rotate.py", "tests/test_close_account.py::test_it_deletes_every_row_and_blob_of_the_person"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-3000:]
    assert "passed" in suite.stdout

    # The demo's key and record are as they were.
    assert (var / "master.key").read_bytes() == key_before
    after = tmp_path / "after.json"
    carnet(var, "export", "--patient", "alice@example.org", "-o", str(after))
    entries = json.loads(after.read_text())["entry"]
    assert len(entries) == len(json.loads(before.read_text())["entry"]) > 50
    assert not list(var.glob(pytest_plugin.MARKER))
    assert os.environ["CARNET_DATA_DIR"] != str(var)
