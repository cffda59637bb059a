"""The pseudonym of a research contributor (carnet.research): keyed, so the database cannot link it.

``pseudonym_of(patient_id)`` is HMAC-SHA256 of a fixed label and the patient id, truncated to
32 hex digits, under a research key the database does not hold. The analytics copy keys its
rows by it, and the list of contributors (``research.Contribution``) keeps only the patient
id: a copy of the main database alone does not tell whose rows are whose; the pseudonyms are
recomputed from the patient ids whenever they are needed (one HMAC each).

The research key is HKDF-SHA256 (info ``carnet:research-pseudonym``) of a random 256-bit
secret kept in the key store like a person's data key: one row under the reserved id
``RESEARCH_KEY_ROW``, wrapped by the current master key, made on first use. So:

* rotating the master key (``carnet keys rotate``) re-wraps that row with every data key and
  the secret, hence every pseudonym, stays the same: the copy needs no rebuild;
* a backup carries the row with the key store, so a restore gives the same pseudonyms;
* should the row be lost (a key store restored from before it existed), a new secret is made
  and every pseudonym changes: ``carnet research refresh --all`` rebuilds the copy under the
  new ones and drops the rows no contributor's pseudonym names any more.

SECRET_KEY plays no part (it may rotate without notice).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .services import KEY_BYTES, KeyDestroyed, _data_key, create_data_key

# No person has this id (ids start at 1; 0 is services.UNKNOWN_RECORD).
RESEARCH_KEY_ROW = -1
_LABEL = b"carnet research pseudonym\x00"


def _research_key() -> bytes:
    try:
        secret = _data_key(RESEARCH_KEY_ROW)
    except KeyDestroyed:
        create_data_key(RESEARCH_KEY_ROW)
        secret = _data_key(RESEARCH_KEY_ROW)
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"carnet:research-pseudonym"
    ).derive(secret)


def pseudonym_of(patient_id: int) -> str:
    """The contributor's pseudonym in the analytics copy (32 hex digits)."""
    return pseudonyms_of([patient_id])[patient_id]


def pseudonyms_of(patient_ids: list[int]) -> dict[int, str]:
    """``pseudonym_of`` of many people at once (the key is derived once)."""
    key = _research_key()
    return {
        pid: hmac.new(key, _LABEL + str(int(pid)).encode(), hashlib.sha256).hexdigest()[:32]
        for pid in patient_ids
    }
