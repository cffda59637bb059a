"""The backup file format: encrypted, authenticated to its last byte, and opened only with
the key it names (a master key of the ring, or a separate backup key file)."""

from __future__ import annotations

import base64
import io
import json

import pytest

from carnet.backups import crypto
from carnet.backups.crypto import BackupError


def _seal(data: bytes, key: crypto.BackupKey, kind: str = "main") -> bytes:
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, key, kind, {"vendor": "sqlite"})
    for i in range(0, len(data), 300_001):
        writer.write(data[i : i + 300_001])
    writer.close()
    return out.getvalue()


def _open(blob: bytes, key_file=None) -> bytes:
    fh = io.BytesIO(blob)
    header, raw = crypto.read_header(fh)
    out = io.BytesIO()
    crypto.decrypt_to(fh, header, raw, crypto.key_for(header, key_file), out)
    return out.getvalue()


@pytest.fixture
def ring(tmp_path, settings):
    settings.MASTER_KEY_FILE = tmp_path / "master.key"
    (tmp_path / "master.key").write_text(
        json.dumps({"current": "k1", "keys": {"k1": base64.b64encode(b"\x01" * 32).decode()}})
    )
    return tmp_path / "master.key"


DATA = bytes(range(256)) * 12_000  # about 3 MB: several chunks


@pytest.mark.no_db
def test_it_round_trips_under_the_current_master_key(ring):
    blob = _seal(DATA, crypto.master_key())
    assert DATA[:4096] not in blob
    header, _ = crypto.read_header(io.BytesIO(blob))
    assert header["key"] == {"source": "master", "id": "k1"} and header["kind"] == "main"
    assert _open(blob) == DATA


@pytest.mark.no_db
def test_a_changed_header_or_chunk_or_a_cut_or_reordered_file_does_not_open(ring):
    blob = _seal(DATA, crypto.master_key())
    header_end = len(crypto.MAGIC) + 5 + int.from_bytes(blob[len(crypto.MAGIC) + 1 :][:4], "big")
    tampered_header = blob.replace(b'"vendor": "sqlite"', b'"vendor": "sqlitX"')
    with pytest.raises(BackupError, match="does not open"):
        _open(tampered_header)
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    with pytest.raises(BackupError, match="does not open"):
        _open(bytes(flipped))
    # Cut exactly at a chunk boundary: the last chunk (flagged) is missing.
    first_len = int.from_bytes(blob[header_end : header_end + 4], "big")
    with pytest.raises(BackupError, match="cut short"):
        _open(blob[: header_end + 4 + first_len])
    with pytest.raises(BackupError, match="cut short"):
        _open(blob[:-10])
    # Two chunks swapped.
    chunks, at = [], header_end
    while at < len(blob):
        n = int.from_bytes(blob[at : at + 4], "big")
        chunks.append(blob[at : at + 4 + n])
        at += 4 + n
    assert len(chunks) >= 3
    swapped = blob[:header_end] + chunks[1] + chunks[0] + b"".join(chunks[2:])
    with pytest.raises(BackupError, match="does not open"):
        _open(swapped)
    with pytest.raises(BackupError, match="after its end"):
        _open(blob + b"x")
    with pytest.raises(BackupError, match="not a Carnet backup"):
        _open(b"PK\x03\x04" + blob)


@pytest.mark.no_db
def test_after_a_rotation_an_old_backup_names_the_retired_master_key(ring):
    blob = _seal(b"old", crypto.master_key())
    ring.write_text(
        json.dumps({"current": "k2", "keys": {"k2": base64.b64encode(b"\x02" * 32).decode()}})
    )
    with pytest.raises(BackupError, match="k1"):
        _open(blob)


@pytest.mark.no_db
def test_a_backup_key_file_is_made_once_with_mode_0600_and_is_required(ring, tmp_path):
    path = tmp_path / "backup.key"
    key = crypto.read_key_file(path, create=True)
    assert path.stat().st_mode & 0o777 == 0o600
    assert crypto.read_key_file(path, create=True) == key
    blob = _seal(DATA, key)
    header, _ = crypto.read_header(io.BytesIO(blob))
    assert header["key"] == {"source": "file", "id": key.ident}
    with pytest.raises(BackupError, match="--key-file"):
        _open(blob)
    other = crypto.read_key_file(tmp_path / "other.key", create=True)
    assert other.ident != key.ident
    with pytest.raises(BackupError, match="needs key"):
        _open(blob, tmp_path / "other.key")
    assert _open(blob, path) == DATA
    (tmp_path / "short.key").write_text(base64.b64encode(b"x" * 16).decode())
    with pytest.raises(BackupError, match="256-bit"):
        crypto.read_key_file(tmp_path / "short.key")


@pytest.mark.no_db
def test_the_key_of_a_main_backup_does_not_open_a_key_store_backup(ring):
    key = crypto.master_key()
    blob = _seal(b"keys", key, kind="keystore")
    assert _open(blob) == b"keys"
    relabelled = blob.replace(b'"kind": "keystore"', b'"kind": "main"    ')
    with pytest.raises(BackupError):
        _open(relabelled)


# Two backups written by Carnet before the vault took the backup keys over (commit 32c75c0,
# with CHUNK lowered to 64 bytes so that they hold four chunks): under master key k1 of the
# `ring` fixture, and under a backup key file of 32 bytes 0x07. They must open as long as
# backups of format version 1 are read.
OLD_DATA = b"Carnet backup made before the vault held the backup keys. " * 4
OLD_UNDER_MASTER_KEY = (
    "Q0FSTkVUQksBAAAAx3siY2h1bmsiOiA2NCwgImZvcm1hdCI6ICJjYXJuZXQtYmFja3VwIiwgImtleSI6IHsiaWQiOiAi"
    "azEiLCAic291cmNlIjogIm1hc3RlciJ9LCAia2luZCI6ICJtYWluIiwgIm5vbmNlX3ByZWZpeCI6ICJUVXcxMVhVN1VR"
    "PT0iLCAic2FsdCI6ICJjWnZ5Q2xydG9KL21ibG1KNTMxd0xBPT0iLCAidmVuZG9yIjogInNxbGl0ZSIsICJ2ZXJzaW9u"
    "IjogMX0AAABQD/aG7OSxX5LEw7AhsprAmWdYQnw8FUV9YAGYhsGiPSOYTgtesUV1mOXLfGZp9MHcJOkDIT52ENy4CUxS"
    "2IjqMTTY5d6fBJzoYlkAxFf1sSMAAABQT/EyTgynHkihY5KSV3x7S3bcZRHZE7DtWK/rUHgF/ZtcG1oQTQxCRSuvjDZU"
    "bW+lkZm7VD+QCOY43Qp0tPjmAQ6gKzdJyrcd6B2hW1Yl/NQAAABQH7hfLrYoobtFdO4NWbRGQRJnU+H54H6wXl7Whreu"
    "Y7SCVpbzokcUAlbflt4Qp379YVgtqRKpqDYK8rTVn297SvHMkLQfAEvRSKou0HSd7FYAAAA4rPtNxpqjtdlTO0baThD/"
    "SBcQi41k8e/YzMdKnLU6hVtqSNZFwBmhdVpVdzq/UNK5Go/K4WRQCQY="
)
OLD_UNDER_KEY_FILE = (
    "Q0FSTkVUQksBAAAA03siY2h1bmsiOiA2NCwgImZvcm1hdCI6ICJjYXJuZXQtYmFja3VwIiwgImtleSI6IHsiaWQiOiAi"
    "ZGVhZGI0MWU3YWI5NWViOSIsICJzb3VyY2UiOiAiZmlsZSJ9LCAia2luZCI6ICJtYWluIiwgIm5vbmNlX3ByZWZpeCI6"
    "ICJkZEVldnZYaUtRPT0iLCAic2FsdCI6ICJ3SS82aXNtS0FxSEFpTmVtQXhLTEV3PT0iLCAidmVuZG9yIjogInNxbGl0"
    "ZSIsICJ2ZXJzaW9uIjogMX0AAABQ+WtKyRQCIc2KbToC4TIqYbKL80R4kT+y6sof+Hz+/6AQXjd5Xcoafe5bnS2hv0DD"
    "mtk+5TGXLvWEM4Ab1m6GXDMFO1PXh2xYNmnFq72uvwoAAABQVIWAm3MVbCaGNpNMMWePggw39u48DBFR214EcLuK57Xd"
    "qJrW5J0kl7BvRm8lGvzwdxrIGukJ/RZcFrNDwX544OKpNT3yJj/49tytZbtBHpQAAABQxGd0DXqLa0+toWyMBE/gdb/7"
    "/gEKnBj/8oNtkB7EtdtZakElIgfoyh4fdLzbDe+c7ah8PN3ZU9RX6/i/DdZG/gWC4pOE//1R2TIgeKnilQ8AAAA44Py7"
    "4uTmMNPtvnW5/X6J9vsOiMlSOVL00AJq5dnpK3SIXKC78NyO4pqILV0ndqUzYhETrfgmA8Q="
)


@pytest.mark.no_db
def test_backups_made_before_the_vault_held_the_backup_keys_still_open(ring, tmp_path):
    assert _open(base64.b64decode(OLD_UNDER_MASTER_KEY)) == OLD_DATA
    key_file = tmp_path / "backup.key"
    key_file.write_text(base64.b64encode(b"\x07" * 32).decode() + "\n")
    assert _open(base64.b64decode(OLD_UNDER_KEY_FILE), key_file) == OLD_DATA
    flipped = bytearray(base64.b64decode(OLD_UNDER_KEY_FILE))
    flipped[-1] ^= 1
    with pytest.raises(BackupError, match="does not open"):
        _open(bytes(flipped), key_file)
