"""Crash-safety: `carnet serve` and `carnet import` are SIGKILLed at random moments during
imports and writes, again and again, and restarted. Every acknowledged write is there,
nothing is half-written, the access history verifies, and a backup made while all this
ran restores whole. On SQLite, and on PostgreSQL when DATABASE_URL is set (in scratch
databases of its own).

This is the short CI form (3 rounds); `make bench` runs the long one (bench/crash.py,
CARNET_CRASH_ROUNDS rounds, 40 by default).
"""

import os

import pytest

from bench import crash

ROUNDS = int(os.environ.get("CARNET_CRASH_TEST_ROUNDS") or 3)


@pytest.mark.no_db
def test_killed_servers_and_imports_lose_nothing_acknowledged_and_leave_nothing_half_written(
    tmp_path,
):
    lines = []
    report = crash.run(rounds=ROUNDS, workdir=tmp_path, log=lines.append)
    summary = "\n".join(lines)
    assert report.kills >= ROUNDS, summary
    assert report.api_acked > 0, summary
    assert not report.lost, f"acknowledged imports missing: {report.lost}\n{summary}"
    assert not report.half_written, f"partial imports: {report.half_written}\n{summary}"
    assert report.lost_documents == 0 and report.unreadable_blobs == 0, summary
    assert report.audit_ok, summary
    assert report.backup_restored and not report.backup_half_written, summary
    # The originals of imported documents commit with the import (one transaction).
    assert report.unattached_blobs == 0, summary
