"""The practitioner lands on their workspace: patients, requests, messages, renewals, agenda."""

from __future__ import annotations

from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.care.models import Conversation, Renewal

from .care import (
    ask_in_two_taps,
    doctor_of,
    first_free,
    open_every_day,
    person_with_treatment,
    start,
)
from .people import english


def test_the_workspace_gathers_what_waits_without_opening_records(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    kind = open_every_day(doctor)
    start(client, person, doctor, med_id)  # one unread message
    ask_in_two_taps(client, person, med_id, doctor)  # one renewal request
    client.post(
        reverse("care:appointment_book", args=[doctor.pk]),
        {"type": kind.pk, "start": first_free(doctor, kind).isoformat()},
    )
    assert Conversation.objects.count() == 1 and Renewal.objects.count() == 1
    audited = AuditEntry.objects.filter(patient_id=pid, actor_id=doctor.pk).count()

    english(client).force_login(doctor)
    home = client.get(reverse("home"))
    html = home.content.decode()
    assert home.status_code == 200 and "My workspace" in html
    assert "1 unread message" in html and "1 renewal request" in html
    assert "access request" not in html  # nothing waiting there: no empty box
    assert "Nothing waiting" not in html
    assert "Karim Benali" in html and "you are their médecin traitant" in html
    assert reverse("care:pro_team_new", args=[pid]) in html
    assert "Consultation" in html  # the booked appointment, today or next
    assert client.get(reverse("care:pro_home")).content.decode().count("Karim Benali") >= 2
    # Counting is not reading: nothing was added to the person's access history.
    assert AuditEntry.objects.filter(patient_id=pid, actor_id=doctor.pk).count() == audited


def test_the_workspace_is_for_practitioners_only(client):
    person, _pid, _med = person_with_treatment()
    english(client).force_login(person)
    assert client.get(reverse("care:pro_home")).status_code == 404


def test_an_empty_workspace_says_so_in_one_line_after_today(client):
    person, _pid, _med = person_with_treatment()
    doctor = doctor_of(person)
    english(client).force_login(doctor)
    html = client.get(reverse("care:pro_home")).content.decode()
    main = html.split("<main", 1)[1]
    assert 'data-tile="messages"' not in main and "0 unread" not in main
    assert main.count("Nothing waiting") == 1
    assert main.index("Today") < main.index("Nothing waiting") < main.index("Next appointments")
