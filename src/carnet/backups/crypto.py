"""The encrypted backup container: a header, then AES-256-GCM chunks.

Layout of a backup file::

    b"CARNETBK" version(1 byte) header_length(4 bytes, big-endian) header(JSON)
    chunk*: length(4 bytes, big-endian) ciphertext

Each chunk is at most ``CHUNK`` bytes of plaintext, sealed under the backup key by the vault
(``carnet.vault.backup_keys``, which says how the key is derived and each chunk sealed); its
associated data is the whole header, and its nonce names its place and whether it is the last.
A changed, removed, reordered or cut-off chunk, or a changed header, fails to open.

The header names the key: a master key of the key ring (``source: master``, by id) or a
separate backup key file (``source: file``, by fingerprint), created with mode 0600 by
``carnet backup --key-file``. This module handles the container and its errors; it never
holds key material.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from carnet.vault import backup_keys
from carnet.vault.backup_keys import BackupKey

MAGIC = b"CARNETBK"
VERSION = 1
CHUNK = 1 << 20
PREFIX_BYTES = 7
MAX_HEADER = 64 * 1024


class BackupError(Exception):
    """A backup cannot be written, opened or restored; nothing was changed."""


def read_key_file(path: Path, create: bool = False) -> BackupKey:
    """The key in a backup key file; with ``create``, a new one is made when it is missing."""
    try:
        return backup_keys.key_file(path, create=create)
    except backup_keys.KeyFileUnreadable as exc:
        raise BackupError(
            _("the backup key file %(path)s cannot be read: %(error)s")
            % {"path": exc.path, "error": exc.reason}
        ) from None
    except backup_keys.KeyFileWrongSize as exc:
        raise BackupError(
            _("the backup key file %(path)s does not hold a 256-bit key") % {"path": exc.path}
        ) from None


def master_key(key_id: str | None = None) -> BackupKey:
    """A master key of the ring: the current one, or the one named (to open an old backup)."""
    try:
        return backup_keys.master_key(key_id)
    except backup_keys.MasterKeyRetired as exc:
        raise BackupError(
            _(
                "this backup was encrypted under master key %(kid)s, which is not in the key "
                "ring (it was retired by a rotation): open it with a copy of the old key ring "
                "(CARNET_MASTER_KEY_FILE)"
            )
            % {"kid": exc.key_id}
        ) from None


class EncryptingWriter:
    """A write-only file object that seals what it is given into a backup file."""

    def __init__(self, fh: IO[bytes], key: BackupKey, kind: str, meta: dict) -> None:
        self._fh = fh
        salt = os.urandom(16)
        prefix = os.urandom(PREFIX_BYTES)
        header = {
            "format": "carnet-backup",
            "version": VERSION,
            "kind": kind,
            "key": {"source": key.source, "id": key.ident},
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(prefix).decode(),
            "chunk": CHUNK,
            **meta,
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._cipher = key.chunk_cipher(
            version=VERSION, kind=kind, salt=salt, nonce_prefix=prefix, header=self._header
        )
        self._buf = bytearray()
        self._counter = 0
        self.bytes_in = 0
        fh.write(MAGIC + bytes([VERSION]) + struct.pack(">I", len(self._header)) + self._header)

    def _seal(self, data: bytes, last: bool) -> None:
        sealed = self._cipher.seal(self._counter, bytes(data), last)
        self._fh.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buf += data
        self.bytes_in += len(data)
        while len(self._buf) > CHUNK:
            self._seal(self._buf[:CHUNK], last=False)
            del self._buf[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._seal(self._buf, last=True)
        self._buf = bytearray()

    def flush(self) -> None:
        pass


def read_header(fh: IO[bytes]) -> tuple[dict, bytes]:
    head = fh.read(len(MAGIC) + 5)
    if len(head) < len(MAGIC) + 5 or not head.startswith(MAGIC):
        raise BackupError(_("this file is not a Carnet backup"))
    if head[len(MAGIC)] != VERSION:
        raise BackupError(
            _("this backup has format version %(v)s, which this Carnet cannot read")
            % {"v": head[len(MAGIC)]}
        )
    (length,) = struct.unpack(">I", head[len(MAGIC) + 1 :])
    if length > MAX_HEADER:
        raise BackupError(_("this file is not a Carnet backup"))
    raw = fh.read(length)
    try:
        header = json.loads(raw)
        assert isinstance(header, dict) and header.get("format") == "carnet-backup"
    except (ValueError, AssertionError):
        raise BackupError(_("this file is not a Carnet backup")) from None
    return header, raw


def key_for(header: dict, key_file: Path | None) -> BackupKey:
    source = (header.get("key") or {}).get("source")
    ident = (header.get("key") or {}).get("id")
    if source == "file":
        if key_file is None:
            raise BackupError(
                _(
                    "this backup was encrypted with a backup key file (key %(id)s): "
                    "give it with --key-file"
                )
                % {"id": ident}
            )
        key = read_key_file(key_file)
        if key.ident != ident:
            raise BackupError(
                _("the backup key file holds key %(have)s; this backup needs key %(need)s")
                % {"have": key.ident, "need": ident}
            )
        return key
    if source == "master":
        return master_key(ident)
    raise BackupError(_("this backup names an unknown kind of key"))


def decrypt_to(
    fh: IO[bytes], header: dict, raw_header: bytes, key: BackupKey, out: IO[bytes]
) -> int:
    """Open every chunk after the header into ``out``; raises BackupError if anything is off."""
    cipher = key.chunk_cipher(
        version=VERSION,
        kind=header["kind"],
        salt=base64.b64decode(header["salt"]),
        nonce_prefix=base64.b64decode(header["nonce_prefix"]),
        header=raw_header,
    )
    counter, total, last = 0, 0, False
    while not last:
        head = fh.read(4)
        if len(head) < 4:
            raise BackupError(_("the backup is cut short: it was not written to the end"))
        (length,) = struct.unpack(">I", head)
        sealed = fh.read(length)
        if len(sealed) < length or length > CHUNK + backup_keys.TAG_BYTES:
            raise BackupError(_("the backup is cut short: it was not written to the end"))
        opened = cipher.open(counter, sealed)
        if opened is None:
            raise BackupError(
                _("the backup does not open: wrong key, or the file was changed or damaged")
            )
        plain, last = opened
        out.write(plain)
        total += len(plain)
        counter += 1
    if fh.read(1):
        raise BackupError(_("the backup has data after its end: the file was changed"))
    return total
