"""The prescriber declines a renewal with a message; nothing is prescribed."""

from django.urls import reverse

from carnet.access.services import Actor
from carnet.care.models import Renewal
from carnet.records import services as records

from .care import ask_in_two_taps, doctor_of, person_with_treatment
from .people import english


def test_it_declines_with_a_message(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    ask_in_two_taps(client, person, med_id, doctor)
    renewal = Renewal.objects.get(patient_id=pid)
    english(client).force_login(doctor)
    url = reverse("care:pro_renewal", args=[renewal.pk])

    empty = client.post(url, {"choice": "decline", "message": "  "})
    assert empty.status_code == 400 and "say why and what to do next" in empty.content.decode()
    renewal.refresh_from_db()
    assert renewal.status == "pending"

    done = client.post(url, {"choice": "decline", "message": "Prenez rendez-vous pour un bilan."})
    assert done.status_code == 302
    renewal.refresh_from_db()
    assert renewal.status == "declined" and not renewal.issued_id
    assert records.search(Actor.of_user(person), pid, "MedicationRequest", "self").total == 0

    english(client).force_login(person)
    page = client.get(reverse("care:renewals")).content.decode()
    assert "Prenez rendez-vous pour un bilan." in page and 'data-status="declined"' in page


def test_another_practitioner_gets_404(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    ask_in_two_taps(client, person, med_id, doctor)
    renewal = Renewal.objects.get(patient_id=pid)
    stranger = doctor_of(person_with_treatment("Léa Petit")[0], name="Dr Paul Noir")
    english(client).force_login(stranger)
    url = reverse("care:pro_renewal", args=[renewal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"choice": "accept"}).status_code == 404
    assert "Metformine" not in client.get(reverse("care:pro_renewals")).content.decode()
