"""The keys of backups, and the cipher of their chunks (the container is carnet.backups.crypto).

A backup is sealed under a key derived with HKDF-SHA256 (a random salt, kept in the backup's
header) from either

* a master key of the key ring (``source: master``, the key's id in the header), or
* a separate backup key file (``source: file``, the key's fingerprint in the header):
  32 random bytes, base64, created with mode 0600 by ``carnet backup --key-file``.

Each chunk is sealed with AES-256-GCM; its nonce is the backup's random 7-byte prefix, a
4-byte counter and a 1-byte "last chunk" flag, and its associated data is the whole header.
The format is the one of every backup made so far: changing anything here changes what old
backups need to open.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import transaction

from .models import DataKey
from .services import KEY_BYTES, VaultError, forget_cached_key, keyring

TAG_BYTES = 16  # what AES-GCM adds to each chunk
_LAST, _MORE = b"\x01", b"\x00"


class BackupKeyError(VaultError):
    """A backup key cannot be had; the subclasses say why."""


class KeyFileUnreadable(BackupKeyError):
    def __init__(self, path: Path, reason: Exception):
        super().__init__(f"backup key file {path} cannot be read: {reason}")
        self.path, self.reason = path, reason


class KeyFileWrongSize(BackupKeyError):
    def __init__(self, path: Path):
        super().__init__(f"backup key file {path} does not hold a 256-bit key")
        self.path = path


class UnknownMasterKeys(BackupKeyError):
    def __init__(self, key_ids: list[str]):
        super().__init__(f"master keys {', '.join(key_ids)} are not in the key ring")
        self.key_ids = key_ids


class MasterKeyRetired(BackupKeyError):
    def __init__(self, key_id: str):
        super().__init__(f"master key {key_id} is not in the key ring")
        self.key_id = key_id


@dataclass(frozen=True)
class BackupKey:
    """A key a backup is sealed under: where it comes from and its public name, never shown."""

    source: str  # "master" or "file"
    ident: str  # master key id, or fingerprint of the key file's key
    _secret: bytes = field(repr=False)

    def chunk_cipher(
        self, *, version: int, kind: str, salt: bytes, nonce_prefix: bytes, header: bytes
    ) -> ChunkCipher:
        """The cipher of the chunks of one backup file (``header`` as written in the file)."""
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=salt,
            info=f"carnet:backup:v{version}:{kind}".encode(),
        ).derive(self._secret)
        return ChunkCipher(derived, nonce_prefix, header)


class ChunkCipher:
    """Seals chunk number ``counter`` of a backup, and opens it again."""

    def __init__(self, key: bytes, nonce_prefix: bytes, header: bytes):
        self._aead = AESGCM(key)
        self._prefix = nonce_prefix
        self._header = header

    def _nonce(self, counter: int, flag: bytes) -> bytes:
        return self._prefix + struct.pack(">I", counter) + flag

    def seal(self, counter: int, data: bytes, last: bool) -> bytes:
        return self._aead.encrypt(
            self._nonce(counter, _LAST if last else _MORE), data, self._header
        )

    def open(self, counter: int, sealed: bytes) -> tuple[bytes, bool] | None:
        """(plaintext, whether it is the last chunk), or None when it does not open."""
        for flag in (_MORE, _LAST):
            try:
                return self._aead.decrypt(self._nonce(counter, flag), sealed, self._header), (
                    flag == _LAST
                )
            except InvalidTag:
                continue
        return None


def _fingerprint(secret: bytes) -> str:
    return hashlib.sha256(b"carnet:backup-key-id:" + secret).hexdigest()[:16]


def key_file(path: Path, create: bool = False) -> BackupKey:
    """The key in a backup key file; with ``create``, a new one is made when it is missing."""
    path = Path(path)
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n")
                fh.flush()
                os.fsync(fh.fileno())
    try:
        secret = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, ValueError) as exc:
        raise KeyFileUnreadable(path, exc) from None
    if len(secret) != KEY_BYTES:
        raise KeyFileWrongSize(path)
    return BackupKey("file", _fingerprint(secret), secret)


def master_key(key_id: str | None = None) -> BackupKey:
    """A master key of the ring: the current one, or the one named (to open an old backup)."""
    ring = keyring(reload=True)
    kid = key_id or ring.current
    secret = ring.keys.get(kid)
    if secret is None:
        raise MasterKeyRetired(kid)
    return BackupKey("master", kid, secret)


# --- The key store in a backup: each data key as wrapped by its master key -----------------------


def export_data_keys() -> list[dict[str, Any]]:
    """Every row of the key store, JSON-ready (the data keys stay wrapped by their master key)."""
    return [
        {
            "patient_id": r.patient_id,
            "wrapped": base64.b64encode(bytes(r.wrapped)).decode(),
            "master_key_id": r.master_key_id,
            "created_at": r.created_at.isoformat(),
            "rotated_at": r.rotated_at.isoformat() if r.rotated_at else None,
        }
        for r in DataKey.objects.using("keystore").order_by("patient_id")
    ]


def key_store_is_empty() -> bool:
    return not DataKey.objects.using("keystore").exists()


def import_data_keys(rows: list[dict[str, Any]]) -> int:
    """Put back the rows of ``export_data_keys`` into an empty key store; how many.

    Raises UnknownMasterKeys, and writes nothing, when a row is wrapped by a master key this
    install's key ring does not hold.
    """
    unknown = {r["master_key_id"] for r in rows} - set(keyring(reload=True).keys)
    if unknown:
        raise UnknownMasterKeys(sorted(unknown))
    with transaction.atomic(using="keystore"):
        DataKey.objects.using("keystore").bulk_create(
            [
                DataKey(
                    patient_id=r["patient_id"],
                    wrapped=base64.b64decode(r["wrapped"]),
                    master_key_id=r["master_key_id"],
                    rotated_at=r["rotated_at"],
                )
                for r in rows
            ]
        )
    forget_cached_key()
    return len(rows)
