"""The home page answers "how am I, what is current" for Karim (type 2 diabetes, demo persona)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.demo import dossiers, personas
from carnet.records import current as records_current
from carnet.records import imports
from carnet.reminders import services as reminders
from carnet.web import views as web_views


@pytest.fixture
def karim(client):
    user = accounts.create_user("karim@example.org", "correct horse battery", display_name="Karim")
    patient = accounts.patient_of(user) or accounts.ensure_own_patient(user)
    imports.import_bundle(
        Actor.operator(),
        dossiers.bundle_for(personas.DIABETIC.key, timezone.localdate()),
        patient_id=patient.pk,
        filename="demo",
        purpose=Purpose.OPERATIONS,
    )
    client.force_login(user)
    return user


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return match.group(1)


def test_it_shows_problems_treatments_and_measurements_with_their_trend(client, karim):
    html = client.get(reverse("home")).content.decode()
    assert "diabète" in _section(html, "h-problems").lower()
    assert "metformine" in _section(html, "h-treatments").lower()
    vitals = _section(html, "h-vitals")
    assert "home-trend-" in vitals  # an arrow and words, not a colour alone
    assert re.search(r'<span aria-hidden="true">[↗→↘]</span>', vitals)
    for section in ("h-todo", "h-vitals", "h-problems", "h-allergies", "h-treatments", "h-recent"):
        assert _section(html, section).count("<li") <= records_current.SHOWN + 1


def test_the_home_page_is_one_audited_read(client, karim):
    patient = accounts.patient_of(karim)
    before = AuditEntry.objects.filter(patient_id=patient.pk).count()
    client.get(reverse("home"))
    entries = list(AuditEntry.objects.filter(patient_id=patient.pk).order_by("seq")[before:])
    assert [(e.action, e.decision) for e in entries] == [("read", "permit")]


def test_what_is_due_is_what_the_reminders_page_says(client, karim):
    patient = accounts.patient_of(karim)
    actor = Actor.of_user(karim)
    expected = reminders.overview(actor, patient.pk)
    current = records_current.summary(actor, patient.pk, Purpose.SELF)
    ours = web_views._reminders(actor, current)
    assert [(r.key, r.status) for r in ours.reminders] == [
        (r.key, r.status) for r in expected.reminders
    ]
    assert ours.pressing, "Karim's demo record has something due"
    html = client.get(reverse("home")).content.decode()
    assert ours.pressing[0].heading in _section(html, "h-todo")


@pytest.mark.no_db
def test_a_trend_is_in_words():
    weight = records_current.VITALS[1]
    assert records_current._trend(weight, 80.0, 78.0) == "up"
    assert records_current._trend(weight, 78.2, 78.0) == "stable"
    assert records_current._trend(weight, 76.0, 78.0) == "down"
    vital = records_current.Vital("weight", "Poids", "76", "kg", None, trend="down")
    assert vital.arrow == "↘" and vital.trend_words
