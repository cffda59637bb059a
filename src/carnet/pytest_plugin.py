"""The test suite's own data directory: `make test` never touches `make run`'s data.

Loaded by pytest as a plugin (entry point ``pytest11`` in pyproject.toml), so that it runs
before pytest-django reads the settings. Whatever the environment says (``make run``'s
``var/``, a production ``CARNET_DATA_DIR`` or ``CARNET_MASTER_KEY_FILE``), each run makes a
new temporary directory, marks it, points every path setting there, and refuses to start if
the settings would still open any file outside it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

MARKER = ".carnet-test-data-dir"
# Settings that could point the suite at a real key, database file or outbox.
OVERRIDDEN = (
    "CARNET_MASTER_KEY_FILE",
    "CARNET_SMS_FILE",
    "CARNET_SECRET_KEY",
    "CARNET_SECRET_KEY_FILE",
    "CARNET_WEBPUSH_KEY_FILE",
    "CARNET_EMAIL_URL",
)


def _make_data_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="carnet-test-")).resolve()
    (path / MARKER).write_text("made by carnet.pytest_plugin for one test run; safe to delete\n")
    return path


def _is_carnet_suite() -> bool:
    # Only the project's own suite (pytest-django pointed at Carnet's settings).
    return os.environ.get("DJANGO_SETTINGS_MODULE", "carnet.settings") == "carnet.settings"


TEST_DATA_DIR: Path | None = None
CHECKED = False  # set once the settings were found to open nothing else
if _is_carnet_suite():
    TEST_DATA_DIR = _make_data_dir()
    os.environ["CARNET_DATA_DIR"] = str(TEST_DATA_DIR)
    for _name in OVERRIDDEN:
        os.environ.pop(_name, None)


def own_data_dir(settings, made: Path | None = None) -> bool:
    """True only when every file the settings may write lies in the directory this run made."""
    made = made or TEST_DATA_DIR
    if made is None:
        return False
    data_dir = Path(settings.DATA_DIR).resolve()
    if data_dir != made or not (data_dir / MARKER).is_file():
        return False
    paths = [settings.MASTER_KEY_FILE, settings.BLOB_DIR, settings.CARNET_SMS_FILE]
    paths += [
        db["NAME"]
        for db in settings.DATABASES.values()
        if "sqlite" in db["ENGINE"] and "memory" not in str(db["NAME"])  # test databases
    ]
    return all(Path(p).resolve().is_relative_to(data_dir) for p in paths)


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if not _is_carnet_suite():
        return
    from django.conf import settings

    if not own_data_dir(settings):
        pytest.exit(
            f"Refusing to run: the tests would open {settings.DATA_DIR} (master key "
            f"{settings.MASTER_KEY_FILE}), a data directory this run did not create.",
            returncode=3,
        )
    global CHECKED
    CHECKED = True
