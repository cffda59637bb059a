"""Wrapped data keys live in their own database (the key store), never beside the data.

A copy of the main database therefore holds only ciphertext: once a patient's key is
destroyed in the key store, no older copy of the main database can be decrypted.
"""

from typing import Any

from django.db.models import Model

KEYSTORE_APPS = {"vault"}


class KeystoreRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return "keystore" if model._meta.app_label in KEYSTORE_APPS else "default"

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "keystore" if model._meta.app_label in KEYSTORE_APPS else "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return (obj1._meta.app_label in KEYSTORE_APPS) == (obj2._meta.app_label in KEYSTORE_APPS)

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        if app_label in KEYSTORE_APPS:
            return db == "keystore"
        return db == "default"
