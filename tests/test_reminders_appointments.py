"""Care appointments show in the agenda (day, week, list) and in the private iCalendar feed."""

import datetime as dt

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnet.access import proxies
from carnet.access.services import Actor
from carnet.care import appointments as care
from carnet.reminders import services

from .care import first_free, open_every_day
from .people import citizen, pid_of, pro


@pytest.fixture
def booked(client):
    doctor = pro("Dr Claire Martin", profession="cardiologue")
    kind = open_every_day(doctor, types=(("Consultation", 40),))
    person = citizen("Karim Benali")
    pid = pid_of(person)
    start = first_free(doctor, kind, 3)
    appt = care.book(Actor.of_user(person), pid, doctor.pk, kind.pk, start)
    client.force_login(person)
    return person, pid, appt


def _agenda(client, vue: str, day: dt.date) -> str:
    page = client.get(reverse("reminders:agenda"), {"vue": vue, "date": day.isoformat()})
    assert page.status_code == 200
    return page.content.decode()


def _feed_events(client, person, pid, *, details=False) -> list:
    secret = services.feed_reset(Actor.of_user(person), pid, show_details=details)
    got = Client().get(reverse("reminders:feed_ics", args=[secret]))  # no session needed
    assert got.status_code == 200 and got["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(got.content).walk("VEVENT")


def _event_at(events, start):
    found = [e for e in events if e.decoded("dtstart") == start]
    assert len(found) == 1, [e.get("summary") for e in events]
    return found[0]


@pytest.mark.parametrize("vue", ["jour", "semaine", "liste"])
def test_a_booked_appointment_is_in_every_agenda_view(client, booked, vue):
    _person, _pid, appt = booked
    local = timezone.localtime(appt.start)
    body = _agenda(client, vue, local.date())
    assert "Dr Claire Martin" in body and local.strftime("%H:%M") in body
    assert "Consultation" in body


def test_the_feed_says_only_carnet_appointment_by_default(client, booked):
    person, pid, appt = booked
    event = _event_at(_feed_events(client, person, pid), appt.start)
    assert str(event["summary"]) == "Carnet appointment"  # "Rendez-vous Carnet" in French
    assert event.decoded("dtend") == appt.end
    assert str(event["status"]) == "CONFIRMED"
    whole = event.to_ical().decode()
    assert "Martin" not in whole and "cardiologue" not in whole and "Consultation" not in whole
    assert str(event["url"]).endswith(f"?vue=jour&date={timezone.localtime(appt.start).date()}")


def test_detailed_titles_name_the_practitioner_when_the_person_chose_them(client, booked):
    person, pid, appt = booked
    event = _event_at(_feed_events(client, person, pid, details=True), appt.start)
    assert str(event["summary"]) == "Appointment with Dr Claire Martin (cardiologue)"


def test_a_cancelled_appointment_leaves_the_agenda_and_is_cancelled_in_the_feed(client, booked):
    person, pid, appt = booked
    uid = str(_event_at(_feed_events(client, person, pid), appt.start)["uid"])
    care.cancel(Actor.of_user(person), appt.pk)
    body = _agenda(client, "jour", timezone.localtime(appt.start).date())
    assert "Dr Claire Martin" not in body
    event = _event_at(_feed_events(client, person, pid), appt.start)
    assert str(event["status"]) == "CANCELLED" and str(event["uid"]) == uid


def test_a_relative_sees_appointments_only_with_the_appointments_permission(booked):
    person, pid, appt = booked
    daughter = citizen("Sophie Benali")
    day = timezone.localtime(appt.start).date()
    for permissions, shown in ((["read"], False), (["read", "appointments"], True)):
        proxies.add_proxy(Actor.of_user(person), pid, daughter.pk, permissions=permissions)
        client = Client()
        client.force_login(daughter)
        client.post(reverse("coffre:act_for", args=[pid]))
        body = _agenda(client, "jour", day)
        assert "Karim Benali" in body  # acting for him
        assert ("Dr Claire Martin" in body) is shown
