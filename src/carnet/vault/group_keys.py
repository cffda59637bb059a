"""The keys of the peer groups (carnet.community): what members write is sealed per group.

A post's body, a thread's title and the reasons of reports and moderation acts are sealed with
AES-256-GCM under their group's key: HKDF-SHA256 of a master key of the key ring with the label
``carnet community group <slug>``. Group keys are derived, not stored: no row in the key store,
nothing to back up beyond the master key ring. A sealed text opens only for its group and its
``context`` (what it is: "post body", "thread title"…), which are its associated data.

A sealed text is ``1`` (format), the length of the master key's id, that id, a 12-byte nonce,
then the ciphertext and its tag: it names the master key it was derived from, so it still
opens while that key is in the ring.

Rotation (``carnet rotate-master-key``): texts sealed under an older master key keep opening
while the key is in the ring. Before the vault retires old master keys it calls every function
registered with ``on_rotation``; the community re-seals its texts under the current key there
(``sealed_under_current`` tells which need it). Losing the ring loses the groups' texts;
erasing a group's rows is the only way to forget them (there is no per-group crypto-shredding).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .services import KEY_BYTES, NONCE_BYTES, VaultError, keyring, on_master_key_rotation

_FORMAT = 1
_lock = threading.Lock()
_keys: dict[tuple[str, str], AESGCM] = {}


def _aead(kid: str, slug: str) -> AESGCM:
    with _lock:
        hit = _keys.get((kid, slug))
    if hit is not None:
        return hit
    master = keyring().keys.get(kid) or keyring(reload=True).keys.get(kid)
    if master is None:
        raise VaultError(f"master key {kid} is not in the key ring")
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=f"carnet community group {slug}".encode(),
    ).derive(master)
    aead = AESGCM(key)
    with _lock:
        if len(_keys) > 1024:
            _keys.clear()
        _keys[(kid, slug)] = aead
    return aead


def _aad(slug: str, context: str) -> bytes:
    return f"carnet:community:{slug}:{context}".encode()


def seal_text(group_slug: str, text: str, context: str) -> bytes:
    """``text`` sealed under the group's key (the current master key's)."""
    kid = keyring().current
    nonce = os.urandom(NONCE_BYTES)
    sealed = _aead(kid, group_slug).encrypt(nonce, text.encode(), _aad(group_slug, context))
    return bytes([_FORMAT, len(kid)]) + kid.encode() + nonce + sealed


def _master_key_id(blob: bytes) -> tuple[str, int]:
    if len(blob) < 2 or blob[0] != _FORMAT:
        raise VaultError("not a sealed group text")
    end = 2 + blob[1]
    return blob[2:end].decode(), end


def open_text(group_slug: str, blob: bytes | memoryview, context: str) -> str:
    """What ``seal_text`` sealed for this group and context; VaultError otherwise."""
    blob = bytes(blob)
    kid, start = _master_key_id(blob)
    nonce, sealed = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    try:
        return _aead(kid, group_slug).decrypt(nonce, sealed, _aad(group_slug, context)).decode()
    except InvalidTag as exc:
        raise VaultError("the text does not open for this group and context") from exc


def sealed_under_current(blob: bytes | memoryview) -> bool:
    """Whether the text was sealed under the current master key (no re-sealing needed)."""
    return _master_key_id(bytes(blob))[0] == keyring().current


def on_rotation(reseal: Callable[[], object]) -> None:
    """Register ``reseal``, called by a master key rotation before old keys are retired."""
    on_master_key_rotation(reseal)
