"""Only practitioners prescribe: a citizen cannot answer a renewal or issue a prescription."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, NotFound
from carnet.care import renewals
from carnet.care.models import Renewal

from .care import ask_in_two_taps, doctor_of, person_with_treatment
from .people import english


def test_a_citizen_cannot_prescribe(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    ask_in_two_taps(client, person, med_id, doctor)
    renewal = Renewal.objects.get(patient_id=pid)
    english(client).force_login(person)
    assert client.get(reverse("care:pro_renewals")).status_code == 404
    url = reverse("care:pro_renewal", args=[renewal.pk])
    assert client.post(url, {"choice": "accept"}).status_code == 404
    with pytest.raises(renewals.NotPrescriber):
        renewals.issue(Actor.of_user(person), renewal.pk)
    renewal.refresh_from_db()
    assert renewal.status == "pending"


def test_a_practitioner_cannot_ask_and_nobody_without_a_grant_is_asked(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    with pytest.raises(NotFound):
        renewals.ask(Actor.of_user(doctor), pid, "MedicationStatement", med_id, doctor.pk)
    other = doctor_of(person_with_treatment("Léa Petit")[0], name="Dr Paul Noir")
    with pytest.raises(renewals.RenewalRefused):
        renewals.ask(Actor.of_user(person), pid, "MedicationStatement", med_id, other.pk)
    assert not Renewal.objects.exists()
