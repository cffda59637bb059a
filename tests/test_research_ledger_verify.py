"""The budget ledger verifies, and any change to it is found."""

from carnet.research import ledger
from carnet.research.models import LedgerEntry


def _three():
    for eps in (0.1, 0.2, 0.3):
        e = ledger.reserve(7, eps, {"resource": "Condition"})
        ledger.settle(e, {"cells": []})


def test_the_ledger_verifies():
    _three()
    assert ledger.verify() == [] and ledger.verify(7) == []
    assert ledger.left(7) == 5.0 - 0.6 or abs(ledger.left(7) - 4.4) < 1e-9


def test_a_lowered_epsilon_is_found():
    _three()
    LedgerEntry.objects.filter(researcher_id=7, seq=2).update(epsilon=0.01)
    assert ledger.verify(7) == ["researcher 7: entry 2 was changed"]


def test_a_removed_entry_is_found():
    _three()
    LedgerEntry.objects.filter(researcher_id=7, seq=1).delete()
    assert ledger.verify(7) == ["researcher 7: entry 1 missing"]


def test_a_rewritten_answer_is_found():
    _three()
    LedgerEntry.objects.filter(researcher_id=7, seq=3).update(answer="{}")
    assert ledger.verify(7) == ["researcher 7: entry 3 was changed"]


def test_carnet_research_verify_names_the_change():
    import io

    import pytest
    from django.core.management import CommandError, call_command

    _three()
    out = io.StringIO()
    call_command("research", "verify", stdout=out)
    assert "verifies" in out.getvalue()
    LedgerEntry.objects.filter(researcher_id=7, seq=3).update(epsilon=0.001)
    with pytest.raises(CommandError, match="entry 3 was changed"):
        call_command("research", "verify", stdout=out)


def test_entries_cut_off_the_end_are_found():
    _three()
    LedgerEntry.objects.filter(researcher_id=7, seq=3).delete()  # to get ε back
    assert ledger.verify(7) == ["researcher 7: entries were cut off the end"]
