"""A copy of the database alone does not tell whose analytics rows are whose: the pseudonym is
an HMAC of the patient id under a key of the key store, which no research table holds."""

import hashlib
import hmac
import json

from django.db import connections

from carnet.access.services import Actor, Purpose
from carnet.records.erasure import erase_patient
from carnet.research import consent, copy
from carnet.research.models import Contribution, Fact
from carnet.vault import services as vault
from carnet.vault.models import DataKey
from carnet.vault.research_keys import RESEARCH_KEY_ROW, pseudonym_of

from .research import person_with_flu


def _contribute(user, pid, **purposes):
    for purpose, on in purposes.items():
        consent.set_choice(Actor.of_user(user), pid, purpose, on)


def _rows_holding(value: str) -> dict[str, int]:
    """How many rows of each table of the main database hold ``value`` anywhere."""
    found = {}
    with connections["default"].cursor() as cursor:
        for table in connections["default"].introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from SQLite)
            n = sum(value in json.dumps(row, default=str) for row in cursor.fetchall())
            if n:
                found[table] = n
    return found


def test_no_research_table_links_a_person_to_their_pseudonym():
    user, pid, _h = person_with_flu()
    _contribute(user, pid, research=True)
    fact = Fact.objects.get()
    assert "pseudonym" not in {f.name for f in Contribution._meta.get_fields()}
    assert Contribution.objects.filter(patient_id=pid).exists()
    # The pseudonym is in the copy's rows only: no table puts it beside the patient id.
    assert _rows_holding(fact.pseudonym) == {"research_fact": 1}
    # It cannot be computed from the patient id without the key: no plain hash gives it, nor
    # the same HMAC under another key.
    label = b"carnet research pseudonym\x00" + str(pid).encode()
    guesses = {
        hashlib.sha256(str(pid).encode()).hexdigest()[:32],
        hashlib.sha256(label).hexdigest()[:32],
        hmac.new(b"\x00" * 32, label, hashlib.sha256).hexdigest()[:32],
        hmac.new(b"another key", label, hashlib.sha256).hexdigest()[:32],
    }
    assert fact.pseudonym not in guesses
    assert fact.pseudonym == pseudonym_of(pid) and len(fact.pseudonym) == 32
    # The key is a secret of the key store (wrapped by the master key), not of the database:
    # without it, another key is made and the same person gets another pseudonym.
    assert DataKey.objects.using("keystore").filter(patient_id=RESEARCH_KEY_ROW).exists()
    vault.destroy_data_key(RESEARCH_KEY_ROW)
    assert pseudonym_of(pid) != fact.pseudonym


def test_rotating_the_master_key_keeps_every_pseudonym():
    user, pid, _h = person_with_flu()
    _contribute(user, pid, research=True)
    before = Fact.objects.get().pseudonym
    vault.rotate_master_key()
    vault.forget_cached_key()
    assert pseudonym_of(pid) == before


def test_withdrawal_and_erasure_remove_the_persons_rows():
    user, pid, _h = person_with_flu()
    _contribute(user, pid, research=True, watch=True)
    assert Fact.objects.filter(research=True, watch=True).count() == 1
    _contribute(user, pid, research=False)  # still in the epidemic watch
    assert Fact.objects.filter(research=False, watch=True).count() == 1
    _contribute(user, pid, watch=False)  # nothing left on: out of the copy
    assert not Fact.objects.exists() and not Contribution.objects.exists()
    _contribute(user, pid, research=True)
    assert Fact.objects.filter(pseudonym=pseudonym_of(pid)).count() == 1
    erase_patient(Actor.of_user(user), pid, Purpose.SELF)
    assert not Fact.objects.exists() and not Contribution.objects.exists()


def test_rows_left_under_a_lost_key_are_dropped_and_rebuilt():
    user, pid, _h = person_with_flu()
    _contribute(user, pid, research=True)
    old = Fact.objects.get().pseudonym
    vault.destroy_data_key(RESEARCH_KEY_ROW)  # e.g. a key store restored from before it
    Contribution.objects.update(stale=True)
    assert copy.refresh_stale() == 1
    assert list(Fact.objects.values_list("pseudonym", flat=True)) == [pseudonym_of(pid)]
    assert pseudonym_of(pid) != old
