"""An import that fails midway, or whose process dies, leaves nothing: its items were
written in short batches that nobody could see, and they are deleted (at once on a
failure, by the next import or the periodic clean-up after a crash)."""

import pytest

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import import_staging, imports, services, store
from carnet.records.models import ResourceVersion, SearchToken, StagedImport

from .helpers import citizen, import_as_new_record, synthea

# Real transactions: the batches commit one by one, as in production.
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


class DiskFull(Exception):
    pass


def _import(user, path, **kwargs):
    return imports.import_bundle(
        Actor.of_user(user),
        path.read_bytes(),
        patient_id=accounts.patient_of(user).pk,
        filename=path.name,
        purpose=Purpose.SELF,
        **kwargs,
    )


def _visible(user) -> int:
    pid = accounts.patient_of(user).pk
    return sum(services.count_by_type(Actor.of_user(user), pid, Purpose.SELF).values())


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(store, "STAGED_BATCH", 50)


def test_a_failure_midway_leaves_nothing_visible_and_nothing_staged(monkeypatch, small_batches):
    alice = citizen()
    pid = accounts.patient_of(alice).pk
    seen = {}
    real_touch = import_staging.touch

    def touch(staged):
        real_touch(staged)
        seen["batches"] = seen.get("batches", 0) + 1
        if seen["batches"] == 3:
            # Mid-import: rows are written, and nobody sees them, not even the person.
            seen["staged_rows"] = ResourceVersion.objects.filter(staged_import=staged.pk).count()
            seen["visible"] = _visible(alice)
        if seen["batches"] == 4:
            raise DiskFull()

    monkeypatch.setattr(import_staging, "touch", touch)
    with pytest.raises(DiskFull):
        _import(alice, synthea("Jacob"))

    assert seen["staged_rows"] >= 100 and seen["visible"] == 0
    assert _visible(alice) == 0
    assert not ResourceVersion.objects.filter(patient_id=pid).exists()
    assert not SearchToken.objects.filter(patient_id=pid).exists()
    assert list(StagedImport.objects.values_list("state", flat=True)) == [StagedImport.FAILED]

    # The record takes the same file afterwards, whole.
    monkeypatch.setattr(import_staging, "touch", real_touch)
    result = _import(alice, synthea("Jacob"))
    assert _visible(alice) == result.created
    assert not ResourceVersion.objects.filter(staged_import__isnull=False).exists()


def test_the_rows_of_a_dead_import_are_never_shown_and_are_cleaned_up(monkeypatch, small_batches):
    alice = citizen()
    pid = accounts.patient_of(alice).pk

    # The process dies after five batches, and nothing cleans up behind it.
    monkeypatch.setattr(import_staging, "discard", lambda *a: 0)
    real_touch = import_staging.touch
    calls = []

    def touch(staged):
        real_touch(staged)
        calls.append(1)
        if len(calls) == 5:
            raise SystemExit()

    monkeypatch.setattr(import_staging, "touch", touch)
    with pytest.raises(SystemExit):
        _import(alice, synthea("Jacob"))
    monkeypatch.undo()

    staged = StagedImport.objects.get()
    assert staged.state == StagedImport.STAGING
    left = ResourceVersion.objects.filter(patient_id=pid, staged_import=staged.pk).count()
    assert left >= 200
    assert _visible(alice) == 0  # written, never shown

    # While its process is alive (here: this one) and writing, the import is left alone...
    assert import_staging.cleanup_stale() == 0
    # ... and so is one of another machine that wrote a moment ago...
    StagedImport.objects.filter(pk=staged.pk).update(owner="elsewhere:1")
    assert import_staging.cleanup_stale() == 0
    # ... until it stops writing for longer than its lease: then its rows and search
    # tokens are deleted.
    StagedImport.objects.filter(pk=staged.pk).update(
        touched_at=staged.touched_at - import_staging._lease() * 2
    )
    assert import_staging.cleanup_stale() == 1
    assert not ResourceVersion.objects.filter(patient_id=pid).exists()
    assert not SearchToken.objects.filter(patient_id=pid).exists()
    assert StagedImport.objects.get().state == StagedImport.FAILED


def test_the_next_import_discards_the_rows_of_one_whose_process_died(monkeypatch, small_batches):
    alice = citizen()
    pid = accounts.patient_of(alice).pk
    real_touch = import_staging.touch
    calls = []

    def touch(staged):
        real_touch(staged)
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit()

    monkeypatch.setattr(import_staging, "discard", lambda *a: 0)
    monkeypatch.setattr(import_staging, "touch", touch)
    with pytest.raises(SystemExit):
        _import(alice, synthea("Abdul"))
    monkeypatch.undo()
    # Its process is gone (a pid that no longer exists on this machine).
    StagedImport.objects.update(owner=f"{import_staging._HOST}:{2**22 + 12345}")

    result = _import(alice, synthea("Abdul"))
    assert ResourceVersion.objects.filter(patient_id=pid).count() == result.created
    assert not ResourceVersion.objects.filter(staged_import__isnull=False).exists()


def test_a_new_record_made_for_a_failed_import_is_removed(monkeypatch, small_batches):
    from carnet.accounts.models import Patient

    real_touch = import_staging.touch

    def touch(staged):
        real_touch(staged)
        raise DiskFull()

    monkeypatch.setattr(import_staging, "touch", touch)
    with pytest.raises(DiskFull):
        import_as_new_record(synthea("Abdul"))
    assert not Patient.objects.exists()
    assert not ResourceVersion.objects.exists() and not SearchToken.objects.exists()

    monkeypatch.setattr(import_staging, "touch", real_touch)
    result = import_as_new_record(synthea("Abdul"))
    assert Patient.objects.get().pk == result.patient_id
    assert ResourceVersion.objects.filter(is_current=True).count() == result.created
