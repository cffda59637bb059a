"""A big import does not stop everyone else: while `carnet import` writes tens of thousands
of items into Bob's record, Alice's reads and her own small imports are all answered (never
a 500 or a « database is locked »), Bob's items stay invisible until the import commits, and
then all of them are there. A real `carnet serve` and a real `carnet import` process (on
PostgreSQL too when DATABASE_URL is set). The same scenario at 20 MB is `make bench`
(bench/big_import.py), where its timings are measured."""

import pytest

from bench import big_import

from .helpers import largest_synthea, smallest_synthea

ENTRIES = 15_000  # a Synthea bundle whose measurements are copied until it has this many


@pytest.mark.no_db
def test_others_are_answered_during_a_big_import_which_commits_whole(tmp_path):
    r = big_import.run(
        largest_synthea(), tmp_path, entries=ENTRIES, idle_seconds=1, small=smallest_synthea()
    )
    assert r.import_returncode == 0, r.import_stderr
    assert r.entries == ENTRIES

    # Alice was answered, every time, while Bob's items were being written.
    assert r.requests and set(r.statuses) == {200}, r.statuses
    overlapping = r.during_staging()
    assert len(overlapping) >= 5, (len(overlapping), len(r.samples))
    writes = [q for q in r.requests if q[3] == "write" and q[0] >= r.import_started]
    assert writes and all(q[2] == 200 for q in writes), writes

    # Bob's items were invisible while staged, then visible all at once, none left staged.
    assert any(staged > 0 for _t, staged, _c in r.samples)
    assert all(current == 0 for _t, staged, current in r.samples if staged > 0), [
        s for s in r.samples if s[1] > 0 and s[2] > 0
    ][:3]
    assert r.bob_current == r.expected
    assert r.bob_staged == 0
    assert r.stages == [("committed",)]
