"""The person asks for a renewal in two taps; the prescriber accepts and the record shows it."""

from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.care.models import Renewal
from carnet.notify.models import Message
from carnet.records import services as records

from .care import ask_in_two_taps, doctor_of, person_with_treatment
from .people import english


def test_it_issues_a_prescription_by_the_practitioner(client, django_capture_on_commit_callbacks):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    response = ask_in_two_taps(client, person, med_id, doctor)
    assert response.status_code == 302
    renewal = Renewal.objects.get(patient_id=pid)
    assert renewal.status == "pending" and renewal.practitioner_id == doctor.pk
    assert b"Metformine" not in bytes(renewal.summary)  # encrypted with the person's key
    assert Message.objects.filter(user=doctor, event="renewal_request").exists()

    english(client).force_login(doctor)
    inbox = client.get(reverse("care:pro_renewals")).content.decode()
    assert "Metformine 1000 mg" in inbox
    assert str(person) in inbox  # whose treatment it is
    answer_page = client.get(reverse("care:pro_renewal", args=[renewal.pk])).content.decode()
    assert f"For {person}." in answer_page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("care:pro_renewal", args=[renewal.pk]), {"choice": "accept", "message": ""}
        )
    assert done.status_code == 302
    renewal.refresh_from_db()
    assert renewal.status == "accepted" and renewal.issued_id

    issued = records.read(Actor.of_user(person), "MedicationRequest", renewal.issued_id, "self")
    assert issued["intent"] == "order" and issued["status"] == "active"
    assert issued["medicationCodeableConcept"]["text"] == "Metformine 1000 mg"
    assert issued["dosageInstruction"] == [{"text": "1 comprimé matin et soir"}]
    assert issued["requester"] == {"display": "Dr Claire Martin"}
    versions = records.provenance(Actor.of_user(person), pid, renewal.issued_id, Purpose.SELF)
    assert versions[0].source == "practitioner" and versions[0].recorded_by_id == doctor.pk
    created = AuditEntry.objects.filter(
        patient_id=pid, actor_id=doctor.pk, action="create", purpose="treatment", decision="permit"
    )
    assert created.count() == 1
    assert Message.objects.filter(user=person, event="renewal_answer").exists()

    english(client).force_login(person)
    page = client.get(reverse("care:renewals")).content.decode()
    assert 'data-status="accepted"' in page


def test_it_renews_with_a_changed_dosage(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    ask_in_two_taps(client, person, med_id, doctor)
    renewal = Renewal.objects.get(patient_id=pid)
    english(client).force_login(doctor)
    client.post(
        reverse("care:pro_renewal", args=[renewal.pk]),
        {"choice": "modify", "dosage": "1 comprimé le soir", "message": "Moins le matin."},
    )
    renewal.refresh_from_db()
    assert renewal.status == "modified"
    issued = records.read(Actor.of_user(person), "MedicationRequest", renewal.issued_id, "self")
    assert issued["dosageInstruction"] == [{"text": "1 comprimé le soir"}]
    assert b"Moins" not in bytes(renewal.answer)
    english(client).force_login(person)
    assert "Moins le matin." in client.get(reverse("care:renewals")).content.decode()


def test_a_second_answer_issues_nothing_more(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    ask_in_two_taps(client, person, med_id, doctor)
    renewal = Renewal.objects.get(patient_id=pid)
    english(client).force_login(doctor)
    url = reverse("care:pro_renewal", args=[renewal.pk])
    client.post(url, {"choice": "accept"})
    again = client.post(url, {"choice": "accept"})
    assert again.status_code in (200, 400)
    me = Actor.of_user(person)
    assert records.search(me, pid, "MedicationRequest", "self").total == 1
