"""The sealing of session keys in the index of a person's open sessions (carnet.accounts.sessions).

The index keeps each session key sealed with AES-256-GCM under a key derived from SECRET_KEY
(HMAC-SHA256 of a fixed label), so a copy of the database alone does not give live sessions.
A new SECRET_KEY leaves earlier rows unopenable: their sessions ended with it anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .services import NONCE_BYTES

_LABEL = b"carnet.accounts.sessions index"
_AAD = b"session key"


def _sealing_key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), _LABEL, hashlib.sha256).digest()


def seal_session_key(key: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_sealing_key()).encrypt(nonce, key.encode(), _AAD)


def open_session_key(sealed: bytes) -> str | None:
    """The session key, or None when it was sealed under an earlier SECRET_KEY (or damaged)."""
    sealed = bytes(sealed)
    try:
        return (
            AESGCM(_sealing_key())
            .decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _AAD)
            .decode()
        )
    except (InvalidTag, ValueError):
        return None
