"""A Synthea patient with about 900 entries: the home page stays short, the rest one click away."""

import re

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import current as records_current
from carnet.reminders import services as reminders
from carnet.web import views as web_views
from tests.helpers import SYNTHEA, import_file


@pytest.fixture
def jacob(client):
    user = accounts.create_user("jacob@example.org", "correct horse battery")
    largest = max(SYNTHEA, key=lambda p: p.read_bytes().count(b'"fullUrl"'))
    import_file(user, largest)
    client.force_login(user)
    return user


def test_it_fits_a_few_items_per_list(client, jacob):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    for section in re.findall(
        r'<section class="home-card[^"]*" aria-labelledby="[^"]+">(.*?)</section>', html, re.S
    ):
        assert section.count("<li") <= records_current.SHOWN
    assert html.count("<li") < 80  # a summary, not a dump of 900 items
    assert "Claim" not in html and "ExplanationOfBenefit" not in html


def test_its_reminders_are_those_of_the_whole_record(jacob):
    patient = accounts.patient_of(jacob)
    actor = Actor.of_user(jacob)
    expected = reminders.overview(actor, patient.pk)
    current = records_current.summary(
        actor, patient.pk, Purpose.SELF, preload=web_views.REMINDER_TYPES
    )
    ours = web_views._reminders(actor, current)
    assert [(r.key, r.status, r.due) for r in ours.reminders] == [
        (r.key, r.status, r.due) for r in expected.reminders
    ]
