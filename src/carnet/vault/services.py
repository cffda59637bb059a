"""The vault: the only module that touches keys.

* A master key ring lives in a file outside the database (``CARNET_MASTER_KEY_FILE``,
  mode 0600). It holds one or more 256-bit master keys, one of them current.
* Each patient has one AES-256-GCM data key, wrapped by the current master key and kept
  in the key store database (see ``routers.py``).
* Every ciphertext carries associated data naming its patient and what it is (resource
  type, id and version), so a ciphertext moved to another row or patient fails to open.
* Searchable codes are HMAC-SHA256 blind indexes under a key derived from the patient's
  data key: destroying the data key also destroys the ability to link index entries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DataKey

NONCE_BYTES = 12
KEY_BYTES = 32


class VaultError(Exception):
    """A key is missing or a ciphertext does not open: the data cannot be read."""


class KeyDestroyed(VaultError):
    """The patient's data key no longer exists (the record was erased)."""


# --- Master key ring ------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]


_ring_lock = threading.Lock()
_ring_cache: tuple[float, KeyRing] | None = None


def _ring_path() -> Path:
    return Path(settings.MASTER_KEY_FILE)


def _new_key_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(4)


def _write_ring(ring: KeyRing, path: Path) -> None:
    data = {
        "current": ring.current,
        "keys": {kid: base64.b64encode(k).decode() for kid, k in ring.keys.items()},
    }
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def _read_ring(path: Path) -> KeyRing:
    try:
        data = json.loads(path.read_text())
        keys = {kid: base64.b64decode(v) for kid, v in data["keys"].items()}
        if data["current"] not in keys or any(len(k) != KEY_BYTES for k in keys.values()):
            raise ValueError("current key missing or a key has the wrong length")
        return KeyRing(current=data["current"], keys=keys)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VaultError(f"master key file {path} is unreadable: {exc}") from exc


def ensure_master_key() -> Path:
    """Create the master key ring on first run (mode 0600); never overwrite one."""
    path = _ring_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        kid = _new_key_id()
        ring = KeyRing(current=kid, keys={kid: AESGCM.generate_key(bit_length=256)})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path
        with os.fdopen(fd, "w") as fh:
            json.dump(
                {"current": ring.current, "keys": {kid: base64.b64encode(ring.keys[kid]).decode()}},
                fh,
            )
            fh.flush()
            os.fsync(fh.fileno())
    return path


def keyring(reload: bool = False) -> KeyRing:
    """The master key ring, re-read whenever the file changes (so rotation needs no restart)."""
    global _ring_cache
    path = ensure_master_key()
    mtime = path.stat().st_mtime_ns
    with _ring_lock:
        if reload or _ring_cache is None or _ring_cache[0] != mtime:
            _ring_cache = (mtime, _read_ring(path))
        return _ring_cache[1]


# --- Data keys -----------------------------------------------------------------------------

_dk_lock = threading.Lock()
_dk_cache: dict[int, tuple[float, bytes]] = {}
_DK_TTL = 60.0
_DK_MAX = 4096


def _wrap_aad(patient_id: int) -> bytes:
    return f"carnet:data-key:{patient_id}".encode()


def _wrap(patient_id: int, data_key: bytes, ring: KeyRing) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(ring.keys[ring.current]).encrypt(nonce, data_key, _wrap_aad(patient_id))


def _unwrap(row: DataKey) -> bytes:
    ring = keyring()
    master = ring.keys.get(row.master_key_id)
    if master is None:
        master = keyring(reload=True).keys.get(row.master_key_id)
    if master is None:
        raise VaultError(f"master key {row.master_key_id} is not in the key ring")
    blob = bytes(row.wrapped)
    try:
        return AESGCM(master).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], _wrap_aad(row.patient_id)
        )
    except InvalidTag as exc:
        raise VaultError(f"data key of patient {row.patient_id} does not open") from exc


def create_data_key(patient_id: int) -> None:
    """Give a patient their data key (idempotent)."""
    if DataKey.objects.filter(patient_id=patient_id).exists():
        return
    ring = keyring()
    key = AESGCM.generate_key(bit_length=256)
    try:
        with transaction.atomic(using="keystore"):
            DataKey.objects.create(
                patient_id=patient_id,
                wrapped=_wrap(patient_id, key, ring),
                master_key_id=ring.current,
            )
    except IntegrityError:
        pass  # created concurrently: the stored one wins
    forget_cached_key(patient_id)


# The access history of lookups of ids that exist nowhere (no person's record): a denied read
# and a read of an unknown id do the same work, the latter on this chain (see records.read).
# No Patient row has this id (ids start at 1); its key is derived from the current master
# key, so it needs no row in the key store. What it holds names no person.
UNKNOWN_RECORD = 0


def _unknown_record_key() -> bytes:
    ring = keyring()
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"carnet:unknown-record"
    ).derive(ring.keys[ring.current])


def _data_key(patient_id: int) -> bytes:
    now = time.monotonic()
    with _dk_lock:
        hit = _dk_cache.get(patient_id)
        if hit and now - hit[0] < _DK_TTL:
            return hit[1]
    # The same lookup for the unknown record as for a person's: the same work either way.
    row = DataKey.objects.filter(patient_id=patient_id).first()
    if row is None and patient_id == UNKNOWN_RECORD:
        key = _unknown_record_key()
    elif row is None:
        raise KeyDestroyed(f"patient {patient_id} has no data key")
    else:
        key = _unwrap(row)
    with _dk_lock:
        if len(_dk_cache) >= _DK_MAX:
            _dk_cache.clear()
        _dk_cache[patient_id] = (now, key)
    return key


def forget_cached_key(patient_id: int | None = None) -> None:
    with _dk_lock:
        if patient_id is None:
            _dk_cache.clear()
        else:
            _dk_cache.pop(patient_id, None)


def destroy_data_key(patient_id: int) -> bool:
    """Crypto-shred: delete the patient's data key. Every copy of their data becomes unreadable."""
    with transaction.atomic(using="keystore"):
        deleted, _ = DataKey.objects.filter(patient_id=patient_id).delete()
    forget_cached_key(patient_id)
    return bool(deleted)


def has_data_key(patient_id: int) -> bool:
    return DataKey.objects.filter(patient_id=patient_id).exists()


# --- Encryption ------------------------------------------------------------------------------


def _aad(patient_id: int, context: str) -> bytes:
    return f"carnet:{patient_id}:{context}".encode()


class Cipher:
    """Encrypts and decrypts for one patient; keep one per batch to skip key lookups."""

    def __init__(self, patient_id: int):
        self.patient_id = patient_id
        self._key = _data_key(patient_id)
        self._aead = AESGCM(self._key)
        self._index_key = HKDF(
            algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"carnet:blind-index"
        ).derive(self._key)

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, _aad(self.patient_id, context))

    def decrypt(self, blob: bytes, context: str) -> bytes:
        blob = bytes(blob)
        try:
            return self._aead.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(self.patient_id, context)
            )
        except InvalidTag as exc:
            raise VaultError("ciphertext does not open for this patient and context") from exc

    def blind_index(self, value: str) -> str:
        """A keyed, deterministic token for exact-match search; reveals nothing without the key."""
        normalized = unicodedata.normalize("NFKC", value).strip().casefold()
        return hmac.new(self._index_key, normalized.encode(), hashlib.sha256).hexdigest()[:32]


def cipher(patient_id: int) -> Cipher:
    return Cipher(patient_id)


# --- Master key rotation --------------------------------------------------------------------


_rotation_hooks: list[Callable[[], object]] = []


def on_master_key_rotation(hook: Callable[[], object]) -> None:
    """``hook`` runs during a rotation, once the new key is current and before old keys are
    retired: what is sealed under keys derived from a master key (``group_keys``) is re-sealed."""
    if hook not in _rotation_hooks:
        _rotation_hooks.append(hook)


class Rotation(TypedDict):
    master_key_id: str  # the new current master key
    rewrapped: int  # data keys re-wrapped under it
    retired: list[str]  # master keys dropped from the ring


def rotate_master_key(
    batch: int = 500, progress: Callable[[int], object] | None = None
) -> Rotation:
    """Re-wrap every data key under a new master key while the server keeps serving.

    The new key is added to the ring as current first (servers pick it up on their next
    key operation); every data key is re-wrapped; only then are the old keys dropped.
    """
    path = ensure_master_key()
    with _ring_lock:
        old = _read_ring(path)
        kid = _new_key_id()
        while kid in old.keys:
            kid = _new_key_id()
        ring = KeyRing(current=kid, keys={**old.keys, kid: AESGCM.generate_key(bit_length=256)})
        _write_ring(ring, path)
    keyring(reload=True)
    rewrapped = 0
    while True:
        rows = list(DataKey.objects.exclude(master_key_id=kid).order_by("id")[:batch])
        if not rows:
            break
        with transaction.atomic(using="keystore"):
            for row in rows:
                key = _unwrap(row)
                row.wrapped = _wrap(row.patient_id, key, ring)
                row.master_key_id = kid
                row.rotated_at = timezone.now()
                row.save(update_fields=["wrapped", "master_key_id", "rotated_at"])
                rewrapped += 1
        if progress:
            progress(rewrapped)
    for hook in _rotation_hooks:
        hook()
    with _ring_lock:
        current = _read_ring(path)
        still_used = set(DataKey.objects.values_list("master_key_id", flat=True).distinct())
        kept = {k: v for k, v in current.keys.items() if k == current.current or k in still_used}
        _write_ring(KeyRing(current=current.current, keys=kept), path)
    keyring(reload=True)
    return {
        "master_key_id": kid,
        "rewrapped": rewrapped,
        "retired": sorted(set(old.keys) - set(kept)),
    }


# --- What `carnet check` and `carnet restore` ask of the key store ----------------------------


def missing_data_keys(patient_ids: Iterable[int]) -> list[int]:
    """The patients among ``patient_ids`` whose data key is not in the key store."""
    keyed = set(DataKey.objects.values_list("patient_id", flat=True))
    return sorted(set(patient_ids) - keyed)


def keys_under_unknown_master_keys() -> dict[str, int]:
    """Master key ids that wrap data keys but are not in the key ring, with how many."""
    known = set(keyring(reload=True).keys)
    counts: dict[str, int] = {}
    for kid in DataKey.objects.exclude(master_key_id__in=known).values_list(
        "master_key_id", flat=True
    ):
        counts[kid] = counts.get(kid, 0) + 1
    return counts


def master_key_file_state() -> tuple[str, Path, int]:
    """("ok" | "missing" | "open" | "unreadable", path, mode) of the master key file:
    "open" when users other than its owner may read or write it (it must be 0600)."""
    path = _ring_path()
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return "missing", path, 0
    if mode & 0o077:
        return "open", path, mode
    try:
        _read_ring(path)
    except VaultError:
        return "unreadable", path, mode
    return "ok", path, mode
