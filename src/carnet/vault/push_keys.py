"""The Web Push key: the VAPID private key that signs each push (CARNET_WEBPUSH_KEY_FILE, PEM).

Browsers subscribe with its public half (the "applicationServerKey"); the notification worker
signs with the whole key, which only this module reads. Push is off while the setting is unset.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid

from .services import VaultError


def _path() -> str | None:
    path = settings.CARNET_WEBPUSH_KEY_FILE
    return str(path) if path else None


def vapid_public_key() -> str | None:
    """The applicationServerKey a browser needs to subscribe, or None when not configured.

    A missing key file is made (py_vapid's ``from_file`` does so), as it always was.
    """
    path = _path()
    if path is None:
        return None
    raw = Vapid.from_file(path).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def vapid_signer() -> Vapid:
    """The key that signs pushes, for pywebpush's ``vapid_private_key``.

    Raises VaultError when push is not configured or the key file is not there.
    """
    path = _path()
    if path is None or not os.path.isfile(path):
        raise VaultError("the Web Push key file (CARNET_WEBPUSH_KEY_FILE) is not there")
    return Vapid.from_file(path)
