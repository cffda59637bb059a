"""`carnet audit verify` detects any change, removal or reordering of access-history entries."""

import pytest
from django.core.management import CommandError, call_command

from carnet.access import audit
from carnet.access.models import AuditEntry, AuditHead
from carnet.access.services import Actor, Purpose
from carnet.records import exports, services

from .helpers import citizen, import_file, smallest_synthea


@pytest.fixture
def chain():
    user = citizen()
    pid = user.patient.pk
    import_file(user, smallest_synthea())
    actor = Actor.of_user(user)
    for _ in range(3):
        services.search(actor, pid, "Observation", Purpose.SELF, count=5)
    exports.export_bundle(actor, pid, Purpose.SELF)
    assert AuditEntry.objects.filter(patient_id=pid).count() == 5
    return pid


def test_it_verifies_an_intact_history(chain, capsys):
    assert audit.verify_chain(chain) == (5, None)
    call_command("audit", "verify")
    assert "OK: 5 entries verified" in capsys.readouterr().out


@pytest.mark.parametrize(
    "field,value",
    [
        ("action", "read"),
        ("decision", "deny"),
        ("actor_id", 999),
        ("purpose", "treatment"),
        ("count", 7),
        ("details", b"forged"),
        ("resource_type", "Condition"),
    ],
)
def test_it_detects_a_changed_entry(chain, field, value):
    AuditEntry.objects.filter(patient_id=chain, seq=3).update(**{field: value})
    _n, problem = audit.verify_chain(chain)
    assert (problem.seq, problem.problem) == (3, "content was changed")
    with pytest.raises(CommandError, match="entry 3"):
        call_command("audit", "verify")


def test_it_detects_a_changed_entry_whose_hash_was_recomputed(chain):
    entry = AuditEntry.objects.get(patient_id=chain, seq=2)
    entry.decision = "deny"
    entry.entry_hash = audit._entry_hash(entry)
    entry.save()
    assert audit.verify_chain(chain)[1].seq == 3  # the next link no longer follows


def test_it_detects_a_removed_entry(chain):
    AuditEntry.objects.filter(patient_id=chain, seq=2).delete()
    problem = audit.verify_chain(chain)[1]
    assert problem.seq == 2 and "missing" in problem.problem


def test_it_detects_entries_cut_off_the_end(chain):
    AuditEntry.objects.filter(patient_id=chain, seq=5).delete()
    problem = audit.verify_chain(chain)[1]
    assert "cut off" in problem.problem


def test_it_detects_reordered_entries(chain):
    a = AuditEntry.objects.get(patient_id=chain, seq=2)
    b = AuditEntry.objects.get(patient_id=chain, seq=4)
    AuditEntry.objects.filter(pk=a.pk).update(seq=1000)
    AuditEntry.objects.filter(pk=b.pk).update(seq=2)
    AuditEntry.objects.filter(pk=a.pk).update(seq=4)
    assert audit.verify_chain(chain)[1].seq == 2


def test_it_detects_a_deleted_history(chain):
    AuditEntry.objects.filter(patient_id=chain).delete()
    assert AuditHead.objects.filter(patient_id=chain).exists()
    assert "cut off" in audit.verify_chain(chain)[1].problem


def test_every_read_and_write_appends_an_entry():
    user = citizen()
    pid = user.patient.pk
    import_file(user, smallest_synthea())
    actor = Actor.of_user(user)
    page = services.search(actor, pid, "Condition", Purpose.SELF)
    services.read(actor, "Condition", page.resources[0]["id"], Purpose.SELF)
    services.everything(actor, pid, Purpose.SELF)
    actions = [e["action"] for e in audit.history(pid)]
    assert actions == ["read", "read", "search", "import"]
    newest = audit.history(pid)[0]
    assert newest["details"]["actor"] == str(user) and newest["decision"] == "permit"
