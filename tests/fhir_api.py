"""Helpers shared by the FHIR API tests: citizens with tokens and imported records."""

import json
from pathlib import Path

from carnet.access import audit
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports

from . import helpers
from .helpers import synthea

SMALL = synthea("Gustavo_Mej")  # 78 entries


def citizen(email: str):
    """A citizen with their own (empty) record and a personal access token."""
    user = helpers.citizen(email, None)
    _token, raw = accounts.create_token(user)
    return user, {"Authorization": f"Bearer {raw}"}


def import_into(user, path: Path = SMALL):
    patient_id = accounts.patient_of(user).pk
    imports.import_bundle(
        Actor.of_user(user), path.read_bytes(), patient_id=patient_id, purpose=Purpose.SELF
    )
    return patient_id


def source(path: Path = SMALL) -> list[dict]:
    return [e["resource"] for e in json.loads(path.read_text())["entry"]]


def denials(patient_id: int) -> list[dict]:
    return [e for e in audit.history(patient_id) if e["decision"] == "deny"]
