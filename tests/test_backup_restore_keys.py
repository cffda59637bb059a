"""`carnet restore` of a key store backup: the data keys come back, still wrapped, only into an
empty key store and only under a key ring that holds their master key; otherwise nothing is
written and the message says why."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from django.conf import settings

from carnet.backups import crypto, services
from carnet.backups.crypto import BackupError
from carnet.vault import services as vault
from carnet.vault.models import DataKey

from .helpers import citizen


@pytest.fixture
def key_store_backup(tmp_path, settings):
    """Two people, and a backup of the key store under a backup key file."""
    ring = tmp_path / "master.key"
    shutil.copy(vault.ensure_master_key(), ring)
    settings.MASTER_KEY_FILE = ring
    vault.keyring(reload=True)
    people = [citizen(f"p{i}@example.org").patient.pk for i in range(2)]
    key_file = tmp_path / "backup.key"
    path = tmp_path / "carnet.backup.keystore"
    services._backup_keystore(path, crypto.read_key_file(key_file, create=True))
    return path, key_file, people


def _sealed_for(patient_id: int) -> bytes:
    return vault.cipher(patient_id).encrypt(b"a reading", "test")


def test_the_keys_come_back_into_an_empty_key_store(key_store_backup):
    path, key_file, people = key_store_backup
    sealed = {pid: _sealed_for(pid) for pid in people}
    wrapped = {k.patient_id: bytes(k.wrapped) for k in DataKey.objects.all()}
    DataKey.objects.all().delete()
    vault.forget_cached_key()
    result = services.restore(path, key_file=key_file)
    assert result.counts == {"data_keys": 2}
    assert {k.patient_id: bytes(k.wrapped) for k in DataKey.objects.all()} == wrapped
    for pid in people:
        assert vault.cipher(pid).decrypt(sealed[pid], "test") == b"a reading"


def test_a_key_store_that_is_not_empty_is_left_alone(key_store_backup):
    path, key_file, _people = key_store_backup
    with pytest.raises(BackupError, match="not empty"):
        services.restore(path, key_file=key_file)
    assert DataKey.objects.count() == 2


def test_keys_under_a_master_key_this_install_lacks_are_refused(key_store_backup):
    path, key_file, _people = key_store_backup
    ours = json.loads(settings.MASTER_KEY_FILE.read_text())["current"]
    DataKey.objects.all().delete()
    settings.MASTER_KEY_FILE.write_text(
        json.dumps({"current": "other", "keys": {"other": base64.b64encode(b"\x05" * 32).decode()}})
    )
    with pytest.raises(BackupError, match=f"master key {ours}, which is not in this"):
        services.restore(path, key_file=key_file)
    assert not DataKey.objects.exists()
