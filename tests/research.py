"""Helpers for the research tests: contributors with small records, or rows made directly."""

from __future__ import annotations

import itertools
from datetime import date

from django.utils import timezone

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports
from carnet.research.models import Contribution, Fact
from carnet.vault.research_keys import pseudonym_of

from . import people

FLU = "http://snomed.info/sct|6142004"
_ids = itertools.count(10_000_000)


def bundle(day: date, *, born: str = "1980-05-01", sex: str = "female", postal="31000") -> dict:
    p = "urn:uuid:p"
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": p,
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Secretname", "given": ["Ana"]}],
                    "birthDate": born,
                    "gender": sex,
                    "address": [{"postalCode": postal}],
                },
            },
            {
                "fullUrl": "urn:uuid:c",
                "resource": {
                    "resourceType": "Condition",
                    "code": {
                        "coding": [
                            {"system": "http://snomed.info/sct", "code": "6142004"},
                        ],
                        "text": "Secret flu words",
                    },
                    "onsetDateTime": day.isoformat(),
                    "subject": {"reference": p},
                },
            },
        ],
    }


def person_with_flu(day: date | None = None, **kw):
    """A citizen (with a token) whose record has the flu this week."""
    user = people.citizen("Ana Secretname")
    _t, raw = accounts.create_token(user)
    pid = accounts.patient_of(user).pk
    imports.import_bundle(
        Actor.of_user(user),
        __import__("json").dumps(bundle(day or timezone.localdate(), **kw)).encode(),
        patient_id=pid,
        purpose=Purpose.SELF,
    )
    return user, pid, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def synthetic(rows: list[tuple[str, str, str, str]], *, code: str = FLU, on: bool = True) -> None:
    """Contributors made directly in the copy: one (age_band, sex, departement, week) each."""
    for age, sex, dep, week in rows:
        pid = next(_ids)
        Contribution.objects.create(
            patient_id=pid, research=on, watch=on, changed_at=timezone.now(), stale=False
        )
        Fact.objects.create(
            pseudonym=pseudonym_of(pid),
            research=on,
            watch=on,
            age_band=age,
            sex=sex,
            departement=dep,
            week=week,
            resource_type="Condition",
            code=code,
        )
