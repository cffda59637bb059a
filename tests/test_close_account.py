"""Closing an account: the data key is destroyed, every row and blob is deleted,
earlier copies no longer decrypt, and the access history stays verifiable."""

import shutil

import pytest

from carnet.access import audit
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts.models import Patient, User
from carnet.records import documents, erasure, exports
from carnet.records.models import Blob, ResourceVersion, SearchToken
from carnet.vault import services as vault

from .cli import carnet, fresh_install
from .helpers import citizen, import_file, operator_permit, smallest_synthea


def _erase(user):
    patient = user.patient
    return erasure.erase_patient(Actor.of_user(user), patient.pk, Purpose.SELF)


def test_it_deletes_every_row_and_blob_of_the_person():
    user = citizen()
    patient_id = user.patient.pk
    import_file(user, smallest_synthea())
    blob_id = documents.put(operator_permit(patient_id), b"%PDF-1.4 a scanned letter")
    other = citizen("bob@example.org")
    import_file(other, smallest_synthea())

    result = _erase(user)

    assert result.resources > 0 and result.documents == 1
    assert not ResourceVersion.objects.filter(patient_id=patient_id).exists()
    assert not SearchToken.objects.filter(patient_id=patient_id).exists()
    assert not Blob.objects.filter(patient_id=patient_id).exists()
    assert not (documents._path(patient_id, blob_id)).exists()
    assert not Patient.objects.filter(pk=patient_id).exists()
    assert not User.objects.filter(email="alice@example.org").exists()
    assert not vault.has_data_key(patient_id)
    # The other person is untouched.
    assert ResourceVersion.objects.filter(patient_id=other.patient.pk).count() > 0


def test_it_makes_earlier_copies_of_the_data_undecryptable():
    user = citizen()
    patient_id = user.patient.pk
    import_file(user, smallest_synthea())
    copy = [
        (r.resource_type, r.fhir_id, r.version, bytes(r.payload))
        for r in ResourceVersion.objects.filter(patient_id=patient_id)
    ]
    assert vault.cipher(patient_id).decrypt(
        copy[0][3], f"{copy[0][0]}/{copy[0][1]}/_history/{copy[0][2]}"
    )

    _erase(user)

    with pytest.raises(vault.KeyDestroyed):
        vault.cipher(patient_id)


def test_it_keeps_a_pseudonymous_history_that_still_verifies():
    user = citizen()
    patient_id = user.patient.pk
    import_file(user, smallest_synthea())
    exports.export_bundle(Actor.of_user(user), patient_id, Purpose.SELF)
    before = AuditEntry.objects.filter(patient_id=patient_id).count()

    _erase(user)

    entries = audit.history(patient_id)
    assert len(entries) == before + 1
    assert entries[0]["action"] == "erase"
    assert all(e["details"] == {} for e in entries), "names and reasons are unreadable now"
    assert audit.verify_chain(patient_id)[1] is None


def test_it_refuses_to_erase_someone_else():
    alice, bob = citizen(), citizen("bob@example.org")
    with pytest.raises(NotFound):
        erasure.erase_patient(Actor.of_user(bob), alice.patient.pk, Purpose.SELF)
    assert vault.has_data_key(alice.patient.pk)


@pytest.mark.no_db
def test_an_old_copy_of_the_database_file_does_not_decrypt_after_erasure(tmp_path):
    fresh_install(tmp_path)
    carnet(tmp_path, "user", "create", "alice@example.org", input="a long enough passphrase\n")
    carnet(tmp_path, "import", str(smallest_synthea()), "--owner", "alice@example.org", "--quiet")
    carnet(
        tmp_path, "export", "--patient", "alice@example.org", "-o", str(tmp_path / "before.json")
    )
    carnet(tmp_path, "migrate", "-v0")  # checkpoint
    backup = tmp_path / "backup"
    backup.mkdir()
    for name in ("carnet.sqlite3", "carnet.sqlite3-wal", "carnet.sqlite3-shm"):
        if (tmp_path / name).exists():
            shutil.copy(tmp_path / name, backup / name)

    out = carnet(tmp_path, "erase", "--patient", "alice@example.org", "--yes")
    assert "Erased" in out.stdout
    refused = carnet(
        tmp_path,
        "export",
        "--patient",
        "alice@example.org",
        "-o",
        str(tmp_path / "x.json"),
        check=False,
    )
    assert refused.returncode != 0

    # Put the old database back, as an attacker with a backup would: the rows are there,
    # but the key to open them is not.
    for name in ("carnet.sqlite3-wal", "carnet.sqlite3-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    for f in backup.iterdir():
        shutil.copy(f, tmp_path / f.name)
    restored = carnet(
        tmp_path,
        "export",
        "--patient",
        "alice@example.org",
        "-o",
        str(tmp_path / "after.json"),
        check=False,
    )
    assert restored.returncode != 0
    assert "was erased" in restored.stderr
    assert not (tmp_path / "after.json").exists() or (tmp_path / "after.json").stat().st_size == 0
    assert (tmp_path / "before.json").stat().st_size > 1000
