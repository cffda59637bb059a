"""`carnet keys rotate` re-wraps every data key under a new master key; records stay readable."""

import json
import stat

from django.conf import settings
from django.core.management import call_command

from carnet.access.services import Actor, Purpose
from carnet.records import exports
from carnet.vault import services as vault
from carnet.vault.models import DataKey

from .helpers import citizen, import_file, smallest_synthea


def _ring():
    return json.loads(settings.MASTER_KEY_FILE.read_text())


def test_the_master_key_file_is_private():
    vault.ensure_master_key()
    mode = stat.S_IMODE(settings.MASTER_KEY_FILE.stat().st_mode)
    assert mode == 0o600


def test_it_rewraps_every_data_key_and_keeps_every_record_readable(capsys):
    people = [citizen(f"p{i}@example.org") for i in range(3)]
    for p in people:
        import_file(p, smallest_synthea())
    before = {
        p.pk: exports.export_bundle(Actor.of_user(p), p.patient.pk, Purpose.SELF)["entry"]
        for p in people
    }
    old = _ring()["current"]

    call_command("keys", "rotate")

    ring = _ring()
    assert ring["current"] != old
    assert old not in ring["keys"], "the old master key is retired"
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {ring["current"]}
    assert "3 data keys re-wrapped" in capsys.readouterr().out
    vault.forget_cached_key()
    for p in people:
        after = exports.export_bundle(Actor.of_user(p), p.patient.pk, Purpose.SELF)["entry"]
        assert [e["resource"] for e in after] == [e["resource"] for e in before[p.pk]]


def test_keys_made_after_rotation_use_the_new_master_key():
    citizen()
    vault.rotate_master_key()
    late = citizen("late@example.org")
    assert DataKey.objects.get(patient_id=late.patient.pk).master_key_id == _ring()["current"]
