"""The restore drill: `carnet backup` then `carnet restore` into an empty install gives the
same accounts, records, documents and access history; a person erased after a backup was
made stays unreadable when that older backup is restored; a backup holds no data key."""

from __future__ import annotations

import json
import re

import pytest

from .helpers import DATA, SYNTHEA, smallest_synthea
from .installs import installs  # noqa: F401

CDA = DATA / "cda" / "fr" / "VAC_2023.01.xml"
PEOPLE = ("alice@example.org", "bob@example.org")

# Everything compared between the live install and the restored one, read in one process.
# Reading the audit chain writes nothing; the exports (which are audited) come after it.
SNAPSHOT = """
import io, json, sys, zipfile
from carnet.access.models import AuditEntry, AuditHead
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import exports
from carnet.vault.services import KeyDestroyed
chain = [
    [e.patient_id, e.seq, e.entry_hash, e.prev_hash, e.action, e.decision]
    for e in AuditEntry.objects.order_by("patient_id", "seq")
]
heads = sorted([h.patient_id, h.seq, h.entry_hash] for h in AuditHead.objects.all())
records = {}
for email in json.loads(sys.argv[1]):
    p = accounts.patient_for_email(email)
    if p is None:
        records[email] = "absent"
        continue
    try:
        bundle = exports.export_bundle(Actor.operator(), p.pk, Purpose.OPERATIONS)
        z = zipfile.ZipFile(io.BytesIO(exports.export_zip(Actor.operator(), p.pk, Purpose.OPERATIONS)))
    except KeyDestroyed:
        records[email] = "unreadable"
        continue
    bundle.pop("timestamp")
    docs = {n: z.read(n).hex() for n in sorted(z.namelist()) if n.startswith("documents/")}
    records[email] = {"bundle": bundle, "documents": docs}
print(json.dumps({"chain": chain, "heads": heads, "records": records}))
"""


def _snapshot(install, people=PEOPLE) -> dict:
    code = "import sys; sys.argv = ['x', " + repr(json.dumps(list(people))) + "]\n" + SNAPSHOT
    return json.loads(install.python(code).stdout)


COUNTED = re.compile(r"(\d+) (accounts|record entries|documents|access-history entries)")


def _counts(output: str) -> dict:
    return {what: int(n) for n, what in COUNTED.findall(output)}


SETUP = f"""
from pathlib import Path
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers
for email in {PEOPLE!r}:
    accounts.create_user(email, "a long enough passphrase", role="citizen")
call_command("import", {str(smallest_synthea())!r}, owner={PEOPLE[0]!r}, quiet=True)
call_command("import", {str(SYNTHEA[1])!r}, owner={PEOPLE[1]!r}, quiet=True)
p = accounts.patient_for_email({PEOPLE[0]!r})
r = importers.import_file(
    Actor.operator(), p.pk, Path({str(CDA)!r}).read_bytes(), "vac.xml", Purpose.OPERATIONS,
    person="mine",  # the sample document names another person: the owner said it is theirs
)
assert r.created > 0
"""


@pytest.mark.no_db
def test_restore_drill_and_an_erased_person_in_an_older_backup(installs):  # noqa: F811
    # Two citizens with a Synthea record each; Alice also has a CDA document (a blob).
    live = installs("live")
    live.migrate(then=SETUP)
    old = live.home / "old.carnet"
    out = live.carnet("backup", str(old), "--include-keys")
    assert "WARNING" in out.stderr and "data key" in out.stderr
    before = _snapshot(live)
    assert before["records"][PEOPLE[0]]["documents"], "Alice has a document to back up"
    assert all(isinstance(r, dict) for r in before["records"].values())

    # The drill: a new, empty install with the same master key ring.
    new = installs("restored", master_key=live.master_key)
    new.migrate()
    restored = new.carnet("restore", str(old))
    # Without the key store nothing of the records can be read yet: it is not in the backup.
    assert "2 records have no data key" in restored.stdout
    assert f"carnet restore {old}.keystore" in restored.stdout, "says what to do"
    unkeyed = new.carnet("check", "--skip", "settings", check=False)
    assert unkeyed.returncode != 0 and "2 dossiers n’ont pas de clé de données" in unkeyed.stderr
    keys = new.carnet("restore", str(old) + ".keystore")
    assert keys.stdout.startswith("Key store restored: 2 data keys")
    assert "Tout est en ordre" in new.carnet("check", "--skip", "settings").stdout
    assert _counts(restored.stdout) == _counts(out.stdout) and len(_counts(out.stdout)) == 4
    assert "Access histories verified" in restored.stdout
    after = _snapshot(new)
    assert after["chain"] == before["chain"] and after["heads"] == before["heads"]
    assert after["records"] == before["records"], "exports, documents included, are identical"
    again = new.carnet("restore", str(old), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr

    # Bob closes his account after the backup. Today's key store no longer has his key;
    # the older backup, restored beside it, keeps him unreadable.
    live.carnet("erase", "--patient", PEOPLE[1], "--yes")
    today = live.home / "today.carnet"
    live.carnet("backup", str(today), "--include-keys")
    later = installs("later", master_key=live.master_key)
    later.migrate()
    later.carnet("restore", str(today) + ".keystore")
    out = later.carnet("restore", str(old))
    assert "1 records have no data key" in out.stdout and "Access histories verified" in out.stdout
    erased = _snapshot(later)
    assert erased["records"][PEOPLE[1]] == "unreadable"
    assert erased["records"][PEOPLE[0]] == before["records"][PEOPLE[0]]
    assert erased["chain"] == before["chain"]
