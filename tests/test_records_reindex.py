"""`carnet reindex`: the encrypted search index of a record is rebuilt from its items, the
same as when they were written, and the rebuild shows in the person's access history."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from carnet.access.models import AuditEntry
from carnet.records import search
from carnet.records.models import SearchToken
from carnet.records.store import LABEL

from .timeline import found_ids, make_record


def _tokens(pid: int) -> list[tuple]:
    # Label rows are padded with random tokens: compare how many, not which.
    rows = SearchToken.objects.filter(patient_id=pid).exclude(param=LABEL)
    return sorted(rows.values_list("resource_type", "fhir_id", "param", "token"))


def test_a_record_indexed_before_words_were_indexed_is_searchable_again(capsys):
    user, pid, ids = make_record()
    before = _tokens(pid)
    labels = SearchToken.objects.filter(patient_id=pid, param=LABEL).count()
    # As an older version of Carnet left it: no word tokens at all.
    SearchToken.objects.filter(patient_id=pid, param=search.WORD).delete()
    assert found_ids(user, pid, "metformine") == set()

    call_command("reindex", "--patient", user.email)

    assert found_ids(user, pid, "metformine") == {ids["med"]}
    assert found_ids(user, pid, "garonne") == {ids["enc"], ids["vac"], ids["med"]}
    assert _tokens(pid) == before
    assert SearchToken.objects.filter(patient_id=pid, param=LABEL).count() == labels
    assert "Rebuilt the search index of 1 records" in capsys.readouterr().out
    entry = AuditEntry.objects.filter(patient_id=pid, actor_role="operator").get()
    assert (entry.actor_role, entry.action, entry.decision) == ("operator", "read", "permit")


def test_all_records_and_unknown_person():
    user, pid, _ids = make_record()
    SearchToken.objects.filter(patient_id=pid).delete()
    call_command("reindex", "--all")
    assert SearchToken.objects.filter(patient_id=pid, param=search.WORD).exists()
    with pytest.raises(CommandError, match="No citizen record"):
        call_command("reindex", "--patient", "nobody@example.org")
