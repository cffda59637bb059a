"""Only the vault touches keys: what `lint-imports` (make lint) cannot see.

`.importlinter` already fails CI when a module outside ``carnet.vault`` imports
``cryptography``, ``py_vapid`` or the key store's models. An import of the vault itself is
allowed everywhere, though, so this test reads the code for what would reach key material
through it: the master key ring, a patient's data key, a backup key's secret, the session
index's sealing key.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import carnet

PACKAGE = Path(carnet.__file__).parent
VAULT = PACKAGE / "vault"

# What holds or loads key material, all inside carnet.vault (services, backup_keys,
# session_keys, push_keys), whose public API seals, opens and names keys without giving them:
# its functions and classes (as a name, an attribute or an import) ...
KEY_FUNCTIONS = {
    "keyring",  # the master key ring: every master key
    "KeyRing",
    "_read_ring",
    "_write_ring",
    "_ring_cache",
    "_data_key",  # a patient's data key, unwrapped
    "_unwrap",
    "_wrap",
    "_unknown_record_key",
    "_sealing_key",  # the session index's key
}
# ... and the private attributes of its objects (as an attribute only).
KEY_ATTRIBUTES = {
    "_key",  # Cipher: the data key
    "_index_key",  # Cipher: the blind index key
    "_aead",  # Cipher, ChunkCipher: the keyed AES-GCM
    "_secret",  # BackupKey: the master key or the key file's key
}


def _modules_outside_the_vault() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if VAULT not in p.parents and "migrations" not in p.parts
    )


def _key_material_used(source: str) -> set[str]:
    """The key material that the module reaches: names of KEY_FUNCTIONS, KEY_ATTRIBUTES."""
    names, attributes = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            attributes.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("carnet.vault"):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr":
            attributes.update(a.value for a in node.args[1:2] if isinstance(a, ast.Constant))
    return ((names | attributes) & KEY_FUNCTIONS) | (attributes & KEY_ATTRIBUTES)


@pytest.mark.no_db
def test_no_module_outside_the_vault_reaches_key_material():
    modules = _modules_outside_the_vault()
    assert len(modules) > 100  # the whole package is read, not an empty folder
    reached = {
        str(p.relative_to(PACKAGE)): sorted(used)
        for p in modules
        if (used := _key_material_used(p.read_text()))
    }
    assert reached == {}, "key material outside carnet.vault: use the vault's API instead"


@pytest.mark.no_db
@pytest.mark.parametrize(
    "source",
    [
        "from carnet.vault import services as vault\nring = vault.keyring(reload=True)\n",
        "from carnet.vault.services import keyring\n",
        "def f(key):\n    return key._secret\n",
        "def f(c):\n    return getattr(c, '_key')\n",
    ],
)
def test_it_would_see_a_module_that_does(source):
    assert _key_material_used(source)


@pytest.mark.no_db
def test_the_vault_api_itself_is_not_key_material():
    source = (
        "from carnet.vault import backup_keys, push_keys, session_keys\n"
        "from carnet.vault import services as vault\n"
        "key = backup_keys.master_key()\n"
        "vault.cipher(1).decrypt(b'', 'ctx')\n"
        "session_keys.open_session_key(b'')\n"
        "push_keys.vapid_signer()\n"
    )
    assert _key_material_used(source) == set()
