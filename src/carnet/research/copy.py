"""The analytics copy: filled from records only through ``access`` (purpose ``research``).

A contributor's rows are rebuilt from their current record when their consent turns on, when
an item is edited (``stale``) and at least once a day (imports write in bulk, without a
signal); ``refresh_stale`` does that person by person (the hourly job), so the copy is
refreshed incrementally. Each rebuild reads the record with a permit the person's
own account holds for research (``access`` permits nobody else), is written to their access
history, and keeps only what ``minimise`` lets through.

A contributor's rows carry ``vault.research_keys.pseudonym_of(patient_id)``, computed here
each time (``Contribution`` keeps no pseudonym), and the purposes they contribute to now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Purpose
from carnet.accounts.models import Patient
from carnet.records import services as records
from carnet.vault.research_keys import pseudonym_of, pseudonyms_of

from .minimal import CODED, SEXES, WHEN, Person, age_band, bucket, day_of, departement, iso_week
from .models import Contribution, Fact

LABEL = "Carnet research contribution"


def person_of(resources: Iterable[dict]) -> Person:
    for r in resources:
        if r.get("resourceType") == "Patient":
            sex = r.get("gender") if r.get("gender") in SEXES else "unknown"
            postal = ""
            for address in r.get("address") or []:
                if address.get("postalCode"):
                    postal = address["postalCode"]
                    break
            return Person(day_of(r.get("birthDate")), sex, departement(postal))
    return Person(None, "unknown", "")


def minimise(
    resources: list[dict], pseudonym: str, *, research: bool = False, watch: bool = False
) -> list[Fact]:
    """The rows of the analytics copy for one record: coded, dated items only."""
    person = person_of(resources)
    facts = []
    for r in resources:
        rtype = r.get("resourceType")
        if rtype not in CODED:
            continue
        day = next((d for f in WHEN[rtype] if (d := day_of(r.get(f))) is not None), None)
        if day is None and rtype == "Observation":
            day = day_of((r.get("effectivePeriod") or {}).get("start"))
        if day is None:
            continue
        concept = r.get(CODED[rtype][0]) or {}
        value = (r.get("valueQuantity") or {}).get("value") if rtype == "Observation" else None
        seen = set()
        for coding in concept.get("coding") or []:
            system, code = coding.get("system"), coding.get("code")
            if not system or not code:
                continue
            key = f"{system}|{code}"[:160]
            if key in seen:
                continue
            seen.add(key)
            facts.append(
                Fact(
                    pseudonym=pseudonym,
                    research=research,
                    watch=watch,
                    age_band=age_band(person.born, day),
                    sex=person.sex,
                    departement=person.departement,
                    week=iso_week(day),
                    resource_type=rtype,
                    code=key,
                    bucket=bucket(value),
                )
            )
    return facts


def owner_actor(patient_id: int) -> Actor | None:
    """The person's own account, as the contribution service acting for them."""
    p = Patient.objects.filter(pk=patient_id).select_related("owner").first()
    if p is None or p.owner is None:
        return None
    return Actor(user_id=p.owner.pk, role=p.owner.role, label=LABEL)


def refresh(patient_id: int) -> int:
    """Rebuild one contributor's rows (or remove them when they contribute to nothing).

    Returns the number of rows written."""
    c = Contribution.objects.filter(patient_id=patient_id).first()
    if c is None or not (c.research or c.watch):
        forget(patient_id)
        return 0
    actor = owner_actor(patient_id)
    if actor is None:
        forget(patient_id)
        return 0
    try:
        permit = access.require(
            actor, patient_id, Action.READ, Purpose.RESEARCH, audit_now=False, what="$research"
        )
    except NotFound:
        return 0
    audit = access.on_open(
        actor, patient_id, Action.READ, Purpose.RESEARCH, permit, what="$research"
    )
    pseudonym = pseudonym_of(patient_id)
    facts = minimise(
        records.whole_record(permit, before_open=audit),
        pseudonym,
        research=c.research,
        watch=c.watch,
    )
    with transaction.atomic():
        Fact.objects.filter(pseudonym=pseudonym).delete()
        Fact.objects.bulk_create(facts, batch_size=1000)
        Contribution.objects.filter(pk=c.pk).update(refreshed_at=timezone.now(), stale=False)
    return len(facts)


def follow_choice(c: Contribution) -> None:
    """Put the person's current purposes on their rows (a purpose turned off leaves every
    later figure of it at once; turned on, it counts once the rows are rebuilt)."""
    Fact.objects.filter(pseudonym=pseudonym_of(c.patient_id)).update(
        research=c.research, watch=c.watch
    )


def forget(patient_id: int) -> None:
    """Remove a person from the copy: their rows and their choices (erasure, withdrawal)."""
    with transaction.atomic():
        Fact.objects.filter(pseudonym=pseudonym_of(patient_id)).delete()
        Contribution.objects.filter(patient_id=patient_id).delete()


def drop_orphans() -> int:
    """Delete the rows whose pseudonym is no contributor's (rows left under an earlier research
    key, should the key store lose it); how many. One HMAC per contributor."""
    current = set(
        pseudonyms_of(list(Contribution.objects.values_list("patient_id", flat=True))).values()
    )
    stray = [
        p for p in Fact.objects.values_list("pseudonym", flat=True).distinct() if p not in current
    ]
    n = 0
    for i in range(0, len(stray), 500):
        n += Fact.objects.filter(pseudonym__in=stray[i : i + 500]).delete()[0]
    return n


def refresh_stale(limit: int | None = None, *, older_than: timedelta = timedelta(hours=24)) -> int:
    """Rebuild, person by person, the contributors whose record changed (``stale``: turned on,
    or an item edited) and then those not refreshed for ``older_than`` (an import writes in
    bulk, without a signal: the daily round catches it), oldest first; then drops the rows no
    contributor's pseudonym names (``drop_orphans``)."""
    due = Contribution.objects.filter(
        Q(stale=True)
        | Q(refreshed_at__isnull=True)
        | Q(refreshed_at__lt=timezone.now() - older_than)
    ).order_by("-stale", F("refreshed_at").asc(nulls_first=True), "pk")
    ids = list(
        due.values_list("patient_id", flat=True)[:limit]
        if limit
        else due.values_list("patient_id", flat=True)
    )
    for pid in ids:
        refresh(pid)
    drop_orphans()
    return len(ids)
