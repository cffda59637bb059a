"""Seal and unseal a person's data with a permit: the one pair every app uses.

A permit from ``access`` (``access.policy.Permit``, which access registers here with
``accept_permits``: the vault sits below access and never imports it) names the patient; these functions
take the patient from it and nothing else, so a permit of one person cannot open
another's data, and a deny opens nothing. The FHIR store (``records.store``) and this
module are the only callers of ``vault.services.cipher``.

Every ciphertext is bound to its patient and to a ``context`` (what it is and which row),
so a blob moved to another row or person does not open.
"""

from __future__ import annotations

from typing import Any, Protocol

import orjson

from . import services


class Permit(Protocol):
    """What the vault reads of an ``access.policy.Permit``."""

    @property
    def permit(self) -> bool: ...

    @property
    def patient_id(self) -> int | None: ...


_PERMIT_TYPES: tuple[type, ...] = ()  # none until access registers its own: deny by default


def accept_permits(kind: type) -> None:
    """Called once by ``access.policy``: only instances of ``kind`` open anything."""
    global _PERMIT_TYPES
    if kind not in _PERMIT_TYPES:
        _PERMIT_TYPES = (*_PERMIT_TYPES, kind)


def patient_of(permit: Permit) -> int:
    """The patient a permit opens, or PermissionError for a deny or anything else."""
    if not isinstance(permit, _PERMIT_TYPES) or not permit.permit or permit.patient_id is None:
        raise PermissionError("health data opens only with a permit from access")
    return permit.patient_id


def cipher(permit: Permit) -> services.Cipher:
    """The patient's cipher, for ``records.store`` (batches of rows under one permit)."""
    return services.cipher(patient_of(permit))


def seal(permit: Permit, data: bytes | str | dict[str, Any] | list[Any], context: str) -> bytes:
    """Encrypt ``data`` (bytes as they are, text as UTF-8, a dict or list as JSON)."""
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes | bytearray):
        data = orjson.dumps(data)
    return cipher(permit).encrypt(bytes(data), context)


def unseal(permit: Permit, blob: bytes | memoryview, context: str) -> bytes:
    """Decrypt what ``seal`` wrote for the permit's patient under ``context``."""
    return cipher(permit).decrypt(bytes(blob), context)


def unseal_json(permit: Permit, blob: bytes | memoryview, context: str) -> Any:
    """``unseal`` for what was sealed from a dict or a list."""
    return orjson.loads(unseal(permit, blob, context))


def unseal_text(permit: Permit, blob: bytes | memoryview, context: str) -> str:
    """``unseal`` for what was sealed from text."""
    return unseal(permit, blob, context).decode()


def blind_index(permit: Permit, value: str) -> str:
    """The patient's keyed search token of ``value`` (see ``services.Cipher.blind_index``)."""
    return cipher(permit).blind_index(value)
