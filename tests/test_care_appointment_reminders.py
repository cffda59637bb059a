"""Reminders the day before and in the last hours, once each; moving or cancelling updates them."""

from __future__ import annotations

import datetime as dt

from carnet.access import proxies
from carnet.access.services import Actor
from carnet.care import appointments, reminders
from carnet.care.models import Appointment
from carnet.notify import events
from carnet.notify.models import Message

from .care import open_every_day, slot_days_ahead
from .people import citizen, pid_of, pro


def reminders_of(user, event=None):
    qs = Message.objects.filter(user=user, event__in=reminders.EVENTS.values())
    return qs.filter(event=event) if event else qs


def test_once_the_day_before_and_once_in_the_last_hours():
    doctor = pro("Dr Claire Martin", profession="cardiologue")
    kind = open_every_day(doctor)
    person = citizen("Karim Benali")
    start = slot_days_ahead(doctor, kind)
    appt = appointments.book(Actor.of_user(person), pid_of(person), doctor.pk, kind.pk, start)

    assert reminders.send_due(now=start - dt.timedelta(hours=30))["reminded"] == 0
    assert not reminders_of(person).exists()
    for minutes in (0, 5, 10):  # the task runs every five minutes: one reminder only
        reminders.send_due(now=start - dt.timedelta(hours=23, minutes=50 - minutes))
    day = reminders_of(person, "appointment_tomorrow")
    assert set(day.values_list("channel", flat=True)) == {"in_app", "email"}
    assert day.count() == 2
    for message in day:
        body = " ".join(events.render(message.event, "email", message.params, "en").values())
        body += events.render(message.event, "sms", message.params, "fr")["text"]
        assert "appointment tomorrow" in body.lower() or "rendez-vous demain" in body.lower()
        assert "cardiologue" not in body and "Claire Martin" not in body
    assert not reminders_of(doctor).exists()  # the practitioner has their agenda

    reminders.send_due(now=start - dt.timedelta(hours=1, minutes=55))
    reminders.send_due(now=start - dt.timedelta(hours=1, minutes=50))
    assert reminders_of(person, "appointment_soon").count() == 2
    appt.refresh_from_db()
    assert appt.reminded == reminders.LAST_HOURS
    assert reminders.send_due(now=start + dt.timedelta(minutes=1))["reminded"] == 0


def test_moving_resets_and_withdraws_waiting_reminders_cancelling_withdraws_them():
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    person = citizen()
    me = Actor.of_user(person)
    start = slot_days_ahead(doctor, kind, days=2)
    appt = appointments.book(me, pid_of(person), doctor.pk, kind.pk, start)
    reminders.send_due(now=start - dt.timedelta(hours=23))
    waiting = reminders_of(person).get(channel="email")
    assert waiting.status == "queued"  # the worker has not sent it yet

    later = slot_days_ahead(doctor, kind, days=5)
    appointments.move(me, appt.pk, later)
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    appt.refresh_from_db()
    assert appt.reminded == 0
    reminders.send_due(now=start - dt.timedelta(hours=23))  # the old time: nothing now
    assert reminders_of(person).filter(status="queued").count() == 0
    reminders.send_due(now=later - dt.timedelta(hours=23))
    assert reminders_of(person, "appointment_tomorrow").filter(status="queued").count() == 1

    appointments.cancel(me, appt.pk)
    assert reminders_of(person).filter(status="queued").count() == 0
    assert reminders.send_due(now=later - dt.timedelta(hours=1))["reminded"] == 0


def test_the_relative_who_booked_is_reminded_too():
    doctor = pro("Dr Claire Garonne")
    kind = open_every_day(doctor)
    father, daughter = citizen("Henri Marty"), citizen("Sophie Esquirol")
    pid = pid_of(father)
    proxies.add_proxy(
        Actor.of_user(father), pid, daughter.pk, permissions=("read", "appointments", "messages")
    )
    start = slot_days_ahead(doctor, kind)
    appt = appointments.book(Actor.of_user(daughter), pid, doctor.pk, kind.pk, start)
    assert Appointment.objects.get(pk=appt.pk).booked_by_id == daughter.pk
    reminders.send_due(now=start - dt.timedelta(hours=23))
    assert reminders_of(father, "appointment_tomorrow").exists()
    assert reminders_of(daughter, "appointment_tomorrow").exists()


def test_a_booking_made_inside_the_window_gets_no_day_before_reminder():
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    person = citizen()
    start = slot_days_ahead(doctor, kind, days=1)
    appt = appointments.book(Actor.of_user(person), pid_of(person), doctor.pk, kind.pk, start)
    Appointment.objects.filter(pk=appt.pk).update(created_at=start - dt.timedelta(hours=20))
    assert reminders.send_due(now=start - dt.timedelta(hours=19))["skipped"] == 1
    assert not reminders_of(person).exists()
    reminders.send_due(now=start - dt.timedelta(hours=1))
    assert reminders_of(person, "appointment_soon").exists()
