"""The practitioner publishes hours; a person books a free time, is told, and gets an .ics."""

import icalendar
from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.care.models import Appointment
from carnet.notify.models import Message

from .care import first_free, open_every_day
from .people import citizen, english, pid_of, pro


def test_the_practitioner_publishes_hours_and_types(client):
    doctor = pro("Dr Claire Martin", profession="médecin généraliste")
    english(client).force_login(doctor)
    bad = client.post(reverse("care:pro_hours"), {"day0": "9h-midi", "types": "Consultation 20"})
    assert bad.status_code == 400 and "Write hours like 09:00-12:00" in bad.content.decode()
    ok = client.post(
        reverse("care:pro_hours"),
        {
            "day0": "09:00-12:00, 14:00-18:00",
            "day2": "9h00-12h00",
            "types": "Consultation 20\nSuivi 40",
        },
    )
    assert ok.status_code == 302
    form = client.get(reverse("care:pro_hours")).content.decode()
    assert "09:00-12:00, 14:00-18:00" in form and "Suivi 40" in form


def test_a_person_books_and_downloads_the_ics(client, django_capture_on_commit_callbacks):
    doctor = pro("Dr Claire Martin", profession="médecin généraliste")
    kind = open_every_day(doctor)
    person = citizen("Karim Benali")
    english(client).force_login(person)
    found = client.get(reverse("care:appointments"), {"q": "claire"}).content.decode()
    book_url = reverse("care:appointment_book", args=[doctor.pk])
    assert book_url in found
    page = client.get(book_url, {"type": kind.pk}).content.decode()
    start = first_free(doctor, kind)
    assert start.isoformat() in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(book_url, {"type": kind.pk, "start": start.isoformat()})
    assert done.status_code == 302
    appt = Appointment.objects.get(patient_id=pid_of(person))
    assert appt.start == start and appt.status == "booked"
    assert Message.objects.filter(user=person, event="appointment_booked").exists()
    assert Message.objects.filter(user=doctor, event="appointment_booked").exists()
    assert AuditEntry.objects.filter(
        patient_id=pid_of(person), action="appointments", decision="permit"
    ).exists()

    ics = client.get(reverse("care:appointment_ics", args=[appt.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert "Dr Claire Martin" in str(event["summary"])

    # The time is gone from the list; the practitioner's agenda shows it.
    assert start.isoformat() not in client.get(book_url, {"type": kind.pk}).content.decode()
    english(client).force_login(doctor)
    assert "Karim Benali" in client.get(reverse("care:pro_agenda")).content.decode()


def test_a_time_outside_the_hours_is_refused(client):
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    person = citizen()
    english(client).force_login(person)
    odd = first_free(doctor, kind).replace(minute=7)
    response = client.post(
        reverse("care:appointment_book", args=[doctor.pk]),
        {"type": kind.pk, "start": odd.isoformat()},
    )
    assert response.status_code == 409 and "Choose another one below" in response.content.decode()
    assert not Appointment.objects.exists()


def test_strangers_get_404(client):
    doctor = pro("Dr Claire Martin")
    kind = open_every_day(doctor)
    person = citizen()
    english(client).force_login(person)
    client.post(
        reverse("care:appointment_book", args=[doctor.pk]),
        {"type": kind.pk, "start": first_free(doctor, kind).isoformat()},
    )
    appt = Appointment.objects.get()
    for stranger in (citizen("Zoé Inconnue"), pro("Dr Autre")):
        english(client).force_login(stranger)
        assert client.get(reverse("care:appointment_ics", args=[appt.pk])).status_code == 404
        assert client.post(reverse("care:appointment_cancel", args=[appt.pk])).status_code == 404
    appt.refresh_from_db()
    assert appt.status == "booked"
