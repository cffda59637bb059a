"""Shared test helpers: people and records are made through the real services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from carnet.access import services as access
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports

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


def citizen(email: str = "alice@example.org", password: str = "a long enough passphrase"):
    return accounts.create_user(email, password, role="citizen")


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


def list_in_directory(rpps: str, display_name: str = "", profession: str = "") -> None:
    """Put a practitioner in the practitioner directory, as the national extract would.

    A practitioner account must match the directory (RPPS number, name, profession:
    accounts.services._as_listed), so tests list their practitioners first. The listing
    takes the account's name without titles, and its profession (Médecin by default).
    """
    from django.utils import timezone

    from carnet.care.directory import fold
    from carnet.care.models import DirectoryEntry

    words = display_name.split()
    if len(words) > 1 and fold(words[0]) in {"dr", "docteur", "pr", "mme"}:
        words = words[1:]
    first, last = (" ".join(words[:-1]), words[-1]) if words else ("", f"Praticien {rpps}")
    profession = profession or "Médecin"
    DirectoryEntry.objects.update_or_create(
        national_id="8" + rpps,
        activity_key="",
        defaults={
            "source": "rpps",
            "id_type": "8",
            "identifier": rpps,
            "rpps": rpps,
            "first_name": first,
            "last_name": last,
            "profession": profession,
            "name_norm": fold(f"{last} {first}"),
            "name_rev_norm": fold(f"{first} {last}"),
            "profession_norm": fold(profession),
            "updated_at": timezone.now(),
        },
    )


def practitioner_account(email: str, password: str | None = None, **fields):
    """accounts.create_user for a practitioner listed in the directory first."""
    fields.setdefault("role", "practitioner")
    list_in_directory(
        fields.get("rpps", ""), fields.get("display_name", ""), fields.get("profession", "")
    )
    return accounts.create_user(email, password, **fields)
