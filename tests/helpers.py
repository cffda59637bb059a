"""Shared test helpers: people and records are made through the real services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import fhir, imports

from . import people
from .people import PASSWORD

# The test data ships with the repository (tests/data/README.md says what and whence);
# nothing here reads ../shared, which only feeds benchmarks and optional long runs.
DATA = Path(__file__).resolve().parent / "data"
SYNTHEA = sorted((DATA / "synthea").glob("*.json"))
assert SYNTHEA, f"the test data is missing under {DATA}"


def operator_permit(patient_id: int):
    """The permit an operator command gets on a record (decided, not audited): to look at
    what is stored (documents, sealed texts) in a test."""
    return access.decide(Actor.operator(), patient_id, Action.READ, Purpose.OPERATIONS)


def synthea(name_part: str = "") -> Path:
    """A Synthea bundle whose file name contains ``name_part`` (the first one by default)."""
    return next(p for p in SYNTHEA if name_part in p.name)


def smallest_synthea() -> Path:
    return min(SYNTHEA, key=lambda p: p.stat().st_size)


def largest_synthea() -> Path:
    return max(SYNTHEA, key=lambda p: p.stat().st_size)


def citizen(email: str = "alice@example.org", password: str = PASSWORD):
    """A citizen known by an email address only, in French (the site's language)."""
    return people.citizen("", email=email, password=password, language="fr")


def import_file(user, path: Path):
    patient = accounts.patient_of(user)
    return imports.import_bundle(
        Actor.of_user(user),
        path.read_bytes(),
        patient_id=patient.pk,
        filename=path.name,
        purpose=Purpose.SELF,
    )


def import_as_new_record(path: Path | dict):
    data = path if isinstance(path, dict) else path.read_bytes()
    return imports.import_bundle(
        Actor.operator(),
        data,
        filename="test.json",
        purpose=Purpose.OPERATIONS,
        create_patient=lambda: accounts.create_unclaimed_citizen().pk,
    )


def load(path: Path) -> dict:
    return json.loads(path.read_text())


class Clock:
    """A frozen clock for time-travel tests: patch ``django.utils.timezone.now`` with it."""

    def __init__(self, at: dt.datetime, tz):
        self.at, self.tz = at, tz

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, day: dt.date, t: dt.time) -> dt.datetime:
        self.at = dt.datetime.combine(day, t, tzinfo=self.tz)
        return self.at


def canonical(resources: list[dict]) -> list[str]:
    """Resources with ids and server metadata dropped and each reference replaced by a
    fingerprint of its target's content (refined over three rounds, so the fingerprint
    also covers what the target refers to).

    Two imports of the same content give equal canonical forms even though every id is
    new, and a reference pointing to the wrong resource makes them differ.
    """
    import hashlib

    def body_of(res):
        body = json.loads(json.dumps(res))
        body.pop("id", None)
        meta = body.get("meta") or {}
        meta.pop("versionId", None)
        meta.pop("lastUpdated", None)
        if not meta:
            body.pop("meta", None)
        return body

    keys = [f"{r['resourceType']}/{r['id']}" for r in resources]
    prints = dict.fromkeys(keys, "")
    rendered = []
    for _round in range(3):
        rendered = []
        for res in resources:
            body = body_of(res)
            for node, _ in fhir.iter_references(body):
                ref = node["reference"]
                if not ref.startswith("#"):  # contained resources stay as they are
                    node["reference"] = "->" + prints[ref] if ref in prints else "DANGLING:" + ref
            rendered.append(json.dumps(body, sort_keys=True))
        prints = {
            k: hashlib.sha256(r.encode()).hexdigest()[:16]
            for k, r in zip(keys, rendered, strict=True)
        }
    return sorted(rendered)


def original_resources(bundle: dict) -> list[dict]:
    """The source bundle's resources with urn:uuid references turned into Type/id."""
    by_url = {
        e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle["entry"]
    }
    resources = []
    for e in bundle["entry"]:
        res = json.loads(json.dumps(e["resource"]))
        fhir.rewrite_references(res, lambda ref: by_url.get(ref, ref))
        resources.append(res)
    return resources
