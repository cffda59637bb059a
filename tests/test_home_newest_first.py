"""The home page lists newest first, undated items last, sorted on the stored dates."""

import re

from django.urls import reverse
from django.utils import timezone

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.demo import dossiers, personas
from carnet.records import current as records_current
from carnet.records import imports, services
from carnet.web import views as web_views

from . import people


def _person(client):
    user = people.citizen("Léa", email="lea@example.org", language="fr")
    patient = accounts.patient_of(user) or accounts.ensure_own_patient(user)
    client.force_login(user)
    return user, patient.pk


def _problem(user, pid, text: str, onset: str | None) -> None:
    resource = {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"text": text},
        "subject": {"reference": f"Patient/{_patient_ref(user, pid)}"},
    }
    if onset:
        resource["onsetDateTime"] = onset
    services.create(Actor.of_user(user), pid, resource, Purpose.SELF)


def _patient_ref(user, pid) -> str:
    found = services.search(Actor.of_user(user), pid, "Patient", Purpose.SELF).resources
    if found:
        return found[0]["id"]
    return services.create(
        Actor.of_user(user), pid, {"resourceType": "Patient", "gender": "female"}, Purpose.SELF
    )["id"]


def _problems_section(html: str) -> str:
    match = re.search(r'aria-labelledby="h-problems">(.*?)</section>', html, re.S)
    assert match
    return match.group(1)


def test_it_lists_problems_newest_first_and_undated_ones_last(client):
    user, pid = _person(client)
    _problem(user, pid, "Asthme sans date", None)
    _problem(user, pid, "Entorse de 2010", "2010-05-01")
    _problem(user, pid, "Migraine de 2020", "2020-03-15T10:00:00+02:00")
    _problem(user, pid, "Eczéma de 2015", "2015")

    section = _problems_section(client.get(reverse("home")).content.decode())
    order = [section.index(t) for t in ("Migraine", "Eczéma", "Entorse", "Asthme")]
    assert order == sorted(order)

    current = records_current.summary(Actor.of_user(user), pid, Purpose.SELF)
    dates = [r.get("onsetDateTime") for r in records_current.resources(current, "Condition")]
    assert dates == ["2020-03-15T10:00:00+02:00", "2015", "2010-05-01", None]


def test_it_reads_what_the_reminders_need_in_the_summarys_queries(
    client, django_assert_max_num_queries
):
    user, pid = _person(client)
    imports.import_bundle(
        Actor.operator(),
        dossiers.bundle_for(personas.DIABETIC.key, timezone.localdate()),
        patient_id=pid,
        filename="demo",
        purpose=Purpose.OPERATIONS,
        person=imports.MINE_TAKE_DETAILS,  # Karim's demo file into Léa's test account
    )
    actor = Actor.of_user(user)
    wanted, latest = web_views._reminder_codes(), web_views.REMINDER_LATEST

    alone = records_current.summary(actor, pid, Purpose.SELF, preload=web_views.REMINDER_TYPES)
    expected = records_current.coded(alone, wanted, latest=latest)
    assert expected, "the diabetes follow-up looks for coded items of Karim's record"

    together = records_current.summary(
        actor, pid, Purpose.SELF, preload=web_views.REMINDER_TYPES, coded=(wanted, latest)
    )
    with django_assert_max_num_queries(0):
        found = records_current.coded(together, wanted, latest=latest)
    assert [r["id"] for r in found] == [r["id"] for r in expected]
    for field in ("problems", "allergies", "treatments", "vitals", "recent", "blood_group"):
        assert getattr(together, field) == getattr(alone, field), field
