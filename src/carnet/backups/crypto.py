"""The encrypted backup container: a header, then AES-256-GCM chunks.

Layout of a backup file::

    b"CARNETBK" version(1 byte) header_length(4 bytes, big-endian) header(JSON)
    chunk*: length(4 bytes, big-endian) ciphertext

Each chunk is at most ``CHUNK`` bytes of plaintext, sealed with AES-256-GCM under the
backup key; its nonce is a random 7-byte prefix (in the header), a 4-byte counter and a
1-byte "last chunk" flag, and its associated data is the whole header. A changed,
removed, reordered or cut-off chunk, or a changed header, fails to open.

The backup key is derived with HKDF-SHA256 (random salt in the header) from either

* a master key of the key ring (``source: master``, the key's id in the header), or
* a separate backup key file (``source: file``, the key's fingerprint in the header):
  32 random bytes, base64, created with mode 0600 by ``carnet backup --key-file``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from carnet.vault import services as vault

MAGIC = b"CARNETBK"
VERSION = 1
CHUNK = 1 << 20
PREFIX_BYTES = 7
MAX_HEADER = 64 * 1024


class BackupError(Exception):
    """A backup cannot be written, opened or restored; nothing was changed."""


@dataclass(frozen=True)
class BackupKey:
    source: str  # "master" or "file"
    ident: str  # master key id, or fingerprint of the key file's key
    secret: bytes

    def derive(self, salt: bytes, kind: str) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=salt,
            info=f"carnet:backup:v{VERSION}:{kind}".encode(),
        ).derive(self.secret)


def _fingerprint(secret: bytes) -> str:
    return hashlib.sha256(b"carnet:backup-key-id:" + secret).hexdigest()[:16]


def read_key_file(path: Path, create: bool = False) -> BackupKey:
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
                fh.write(base64.b64encode(os.urandom(32)).decode() + "\n")
                fh.flush()
                os.fsync(fh.fileno())
    try:
        secret = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("the backup key file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": exc}
        ) from None
    if len(secret) != 32:
        raise BackupError(
            _("the backup key file %(path)s does not hold a 256-bit key") % {"path": path}
        )
    return BackupKey("file", _fingerprint(secret), secret)


def master_key(key_id: str | None = None) -> BackupKey:
    """A master key of the ring: the current one, or the one named (to open an old backup)."""
    ring = vault.keyring(reload=True)
    kid = key_id or ring.current
    secret = ring.keys.get(kid)
    if secret is None:
        raise BackupError(
            _(
                "this backup was encrypted under master key %(kid)s, which is not in the key "
                "ring (it was retired by a rotation): open it with a copy of the old key ring "
                "(CARNET_MASTER_KEY_FILE)"
            )
            % {"kid": kid}
        )
    return BackupKey("master", kid, secret)


class EncryptingWriter:
    """A write-only file object that seals what it is given into a backup file."""

    def __init__(self, fh, key: BackupKey, kind: str, meta: dict):
        self._fh = fh
        salt = os.urandom(16)
        self._prefix = os.urandom(PREFIX_BYTES)
        header = {
            "format": "carnet-backup",
            "version": VERSION,
            "kind": kind,
            "key": {"source": key.source, "id": key.ident},
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(self._prefix).decode(),
            "chunk": CHUNK,
            **meta,
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._aead = AESGCM(key.derive(salt, kind))
        self._buf = bytearray()
        self._counter = 0
        self.bytes_in = 0
        fh.write(MAGIC + bytes([VERSION]) + struct.pack(">I", len(self._header)) + self._header)

    def _seal(self, data: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._counter) + (b"\x01" if last else b"\x00")
        sealed = self._aead.encrypt(nonce, bytes(data), self._header)
        self._fh.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def write(self, data) -> int:
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


def read_header(fh) -> tuple[dict, bytes]:
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


def decrypt_to(fh, header: dict, raw_header: bytes, key: BackupKey, out) -> int:
    """Open every chunk after the header into ``out``; raises BackupError if anything is off."""
    aead = AESGCM(key.derive(base64.b64decode(header["salt"]), header["kind"]))
    prefix = base64.b64decode(header["nonce_prefix"])
    counter, total, last = 0, 0, False
    while not last:
        head = fh.read(4)
        if len(head) < 4:
            raise BackupError(_("the backup is cut short: it was not written to the end"))
        (length,) = struct.unpack(">I", head)
        sealed = fh.read(length)
        if len(sealed) < length or length > CHUNK + 16:
            raise BackupError(_("the backup is cut short: it was not written to the end"))
        plain = None
        for flag in (b"\x00", b"\x01"):
            nonce = prefix + struct.pack(">I", counter) + flag
            try:
                plain = aead.decrypt(nonce, sealed, raw_header)
            except InvalidTag:
                continue
            last = flag == b"\x01"
            break
        if plain is None:
            raise BackupError(
                _("the backup does not open: wrong key, or the file was changed or damaged")
            )
        out.write(plain)
        total += len(plain)
        counter += 1
    if fh.read(1):
        raise BackupError(_("the backup has data after its end: the file was changed"))
    return total
