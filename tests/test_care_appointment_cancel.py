"""A person moves then cancels an appointment; the time is free again; both sides are told."""

import icalendar
from django.urls import reverse

from carnet.care import appointments
from carnet.care.models import Appointment
from carnet.notify.models import Message

from .care import first_free, open_every_day
from .people import citizen, english, pid_of, pro


def booked(client, doctor, kind, person):
    english(client).force_login(person)
    client.post(
        reverse("care:appointment_book", args=[doctor.pk]),
        {"type": kind.pk, "start": first_free(doctor, kind).isoformat()},
    )
    return Appointment.objects.get(patient_id=pid_of(person), status="booked")


def test_a_person_moves_then_cancels(client, django_capture_on_commit_callbacks):
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    person = citizen()
    appt = booked(client, doctor, kind, person)
    later = first_free(doctor, kind, 3)
    moved = client.post(
        reverse("care:appointment_move", args=[appt.pk]), {"start": later.isoformat()}
    )
    assert moved.status_code == 302
    appt.refresh_from_db()
    assert appt.start == later
    assert Message.objects.filter(user=doctor, event="appointment_moved").exists()

    confirm = client.get(reverse("care:appointment_cancel", args=[appt.pk]))
    assert confirm.status_code == 200 and "Yes, cancel it" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("care:appointment_cancel", args=[appt.pk]))
    assert done.status_code == 302
    appt.refresh_from_db()
    assert appt.status == "cancelled" and appt.cancelled_at is not None
    assert Message.objects.filter(user=person, event="appointment_cancelled").exists()
    assert Message.objects.filter(user=doctor, event="appointment_cancelled").exists()
    ics = client.get(reverse("care:appointment_ics", args=[appt.pk]))
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"
    # The time is free again: someone else can book it.
    free = appointments.free_slots(doctor.pk, kind.pk)
    assert later in [t for times in free.values() for t in times]


def test_the_practitioner_cancels(client):
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    person = citizen()
    appt = booked(client, doctor, kind, person)
    english(client).force_login(doctor)
    done = client.post(reverse("care:appointment_cancel", args=[appt.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("care:pro_agenda")
    appt.refresh_from_db()
    assert appt.status == "cancelled"
    assert Message.objects.filter(user=person, event="appointment_cancelled").exists()
