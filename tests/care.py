"""Shared set-up of the Plateforme tests (no test here): people and records made through the real services."""

from __future__ import annotations

from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.care import appointments
from carnet.records import services as records

from .people import citizen, english, pid_of, pro


def person_with_treatment(name: str = "Karim Benali"):
    """(person, patient_id, treatment id): a record with a Patient and metformin taken daily."""
    person = citizen(name)
    pid = pid_of(person)
    me = Actor.of_user(person)
    patient = records.create(
        me, pid, {"resourceType": "Patient", "name": [{"family": "Benali"}]}, Purpose.SELF
    )
    med = records.create(
        me,
        pid,
        {
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationCodeableConcept": {"text": "Metformine 1000 mg"},
            "subject": {"reference": f"Patient/{patient['id']}"},
            "dosage": [{"text": "1 comprimé matin et soir"}],
        },
        Purpose.SELF,
    )
    return person, pid, med["id"]


def doctor_of(person, name: str = "Dr Claire Martin"):
    """A general practitioner named médecin traitant of ``person`` (may add to the record)."""
    doctor = pro(name, profession="médecin généraliste", organisation="Cabinet Saint-Cyprien")
    grants.set_referent(Actor.of_user(person), pid_of(person), doctor.pk)
    return doctor


def open_every_day(doctor, types=(("Consultation", 20),)):
    """Publish hours on every day of the week, so that tomorrow always has free times."""
    from carnet.care import appointments

    appointments.publish(
        Actor.of_user(doctor),
        {d: [["08:00", "12:00"], ["14:00", "19:00"]] for d in range(7)},
        list(types),
    )
    return appointments.schedule_of(doctor.pk)[1][0]


def first_free(doctor, kind, n=0):
    from carnet.care import appointments

    slots = appointments.free_slots(doctor.pk, kind.pk)
    return [t for day in sorted(slots) for t in slots[day]][n]


def ask_in_two_taps(client, person, med_id, doctor):
    english(client).force_login(person)
    page = client.get(reverse("care:renewals")).content.decode()
    ask_url = reverse("care:renewal_ask", args=["MedicationStatement", med_id])
    assert ask_url in page and "Metformine 1000 mg" in page
    confirm = client.get(ask_url)  # tap 1
    assert confirm.status_code == 200 and "Dr Claire Martin" in confirm.content.decode()
    return client.post(ask_url, {"practitioner": doctor.pk})  # tap 2


def start(client, person, doctor, med_id, text="Puis-je arrêter la metformine ?"):
    english(client).force_login(person)
    page = client.get(reverse("care:conversation_new"))
    assert page.status_code == 200 and "Dr Claire Martin" in page.content.decode()
    return client.post(
        reverse("care:conversation_new"),
        {
            "practitioner": doctor.pk,
            "subject": "Question sur mon traitement",
            "text": text,
            "attachments": [f"MedicationStatement/{med_id}"],
        },
    )


def slot_days_ahead(doctor, kind, days=3, n=0):
    slots = appointments.free_slots(doctor.pk, kind.pk)
    today = min(slots)
    return [t for day in sorted(slots) if (day - today).days >= days for t in slots[day]][n]
