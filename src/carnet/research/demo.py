"""Synthetic contributors for the demo: enough people for Anne's workspace and the watch.

Sixty invented people (no one can sign in: no password), most of them in Haute-Garonne,
in the middle of a flu wave: their records are imported like any other file, then each
person's own account turns research and the epidemic watch on, through the same service as
the page. Running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import orjson

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.records import imports

from . import consent, watch

COUNT = 60
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
GIVEN = ("Camille", "Louis", "Inès", "Hugo", "Léa", "Nathan", "Chloé", "Yanis", "Manon", "Lucas")
FAMILY = ("Garrigue", "Pujol", "Castex", "Fabre", "Cazals", "Rouquette", "Lacombe", "Bouzigues")


def email(i: int) -> str:
    return f"contributeur.{i:02d}@contributeurs.demo.carnet.fr"


def _concept(system: str, code: str, text: str) -> dict:
    return {"coding": [{"system": system, "code": code}], "text": text}


def bundle(i: int, today: date, rng: random.Random) -> tuple[str, dict]:
    given, family = GIVEN[i % len(GIVEN)], FAMILY[i % len(FAMILY)]
    born = date(today.year - rng.randint(18, 85), rng.randint(1, 12), rng.randint(1, 28))
    postal = rng.choice(["31000", "31400", "31500", "31300", "31200"])
    if rng.random() < 0.2:
        postal = rng.choice(["81000", "82000", "32000", "09000"])
    p = "urn:uuid:p"
    entries: list[dict] = [
        {
            "fullUrl": p,
            "resource": {
                "resourceType": "Patient",
                "name": [{"family": family, "given": [given]}],
                "gender": "female" if i % 2 else "male",
                "birthDate": born.isoformat(),
                "address": [{"postalCode": postal, "city": "Toulouse"}],
            },
        }
    ]
    n = 0

    def add(resource: dict) -> None:
        nonlocal n
        n += 1
        resource["subject"] = {"reference": p}
        entries.append({"fullUrl": f"urn:uuid:r{n}", "resource": resource})

    last_sunday = today - timedelta(days=today.isoweekday() % 7 or 7)
    flu_week = rng.choices([0, 1, 2, None], weights=[55, 25, 10, 10])[0]
    if flu_week is not None:
        day = last_sunday - timedelta(weeks=flu_week, days=rng.randint(0, 6))
        add(
            {
                "resourceType": "Condition",
                "code": _concept(SNOMED, "6142004", "Grippe"),
                "onsetDateTime": day.isoformat(),
            }
        )
        if rng.random() < 0.6:
            add(
                {
                    "resourceType": "MedicationRequest",
                    "status": "completed",
                    "intent": "order",
                    "medicationCodeableConcept": _concept(ATC, "J05AH02", "Oseltamivir"),
                    "authoredOn": day.isoformat(),
                }
            )
    if rng.random() < 0.35:
        day = last_sunday - timedelta(weeks=rng.randint(0, 3), days=rng.randint(0, 6))
        add(
            {
                "resourceType": "Condition",
                "code": _concept(SNOMED, "25374005", "Gastro-entérite"),
                "onsetDateTime": day.isoformat(),
            }
        )
    if rng.random() < 0.4:
        day = last_sunday - timedelta(weeks=rng.randint(0, 3), days=rng.randint(0, 6))
        add(
            {
                "resourceType": "MedicationRequest",
                "status": "completed",
                "intent": "order",
                "medicationCodeableConcept": _concept(ATC, "J01CA04", "Amoxicilline"),
                "authoredOn": day.isoformat(),
            }
        )
    add(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": _concept(LOINC, "8480-6", "Pression systolique"),
            "effectiveDateTime": (today - timedelta(days=rng.randint(1, 60))).isoformat(),
            "valueQuantity": {"value": rng.randint(105, 165), "unit": "mm[Hg]"},
        }
    )
    return f"{given} {family}", {"resourceType": "Bundle", "type": "collection", "entry": entries}


def load(today: date, count: int = COUNT) -> int:
    """Create the contributors not there yet; returns how many were created."""
    rng = random.Random(19)
    made = 0
    operator = Actor.operator("Carnet demo data (carnet demo)")
    for i in range(count):
        name, data = bundle(i, today, rng)  # drawn for every i, so that reruns draw the same
        if User.objects.filter(email=email(i)).exists():
            continue
        user = accounts.create_user(email(i), None, display_name=name, language="fr")
        pid = accounts.patient_of(user).pk
        imports.import_bundle(
            operator,
            orjson.dumps(data),
            patient_id=pid,
            filename="contributeurs-demo.json",
            purpose=Purpose.OPERATIONS,
        )
        me = Actor.of_user(user)
        consent.set_choice(me, pid, "research", True)
        consent.set_choice(me, pid, "watch", True)
        made += 1
    if made:
        watch.publish(today)  # the public page has its weeks at once
    return made
