"""A practitioner writes a short consultation note: a Procedure "consultation" with their
note, which the person reads as their care team's comment."""

from __future__ import annotations

from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.records import services as records

from .people import english
from .pro_entry import shared_in_writing, url


def test_the_gp_writes_a_note_the_person_reads(client):
    owner, pid, gp = shared_in_writing(categories=["consultations"])
    english(client).force_login(gp)
    response = client.post(
        url(pid, "consultation"),
        {
            "reason": "Suivi du diabète",
            "text": "HbA1c stable. On garde le traitement ; contrôle dans 3 mois.",
            "day": "2025-03-04",
        },
    )
    assert response.status_code == 302
    [note] = records.search(Actor.of_user(owner), pid, "Procedure", Purpose.SELF).resources
    assert note["code"]["coding"][0]["code"] == "11429006"
    assert note["code"]["text"] == "Suivi du diabète"
    assert note["performedDateTime"] == "2025-03-04"
    assert note["note"][0]["authorReference"]["display"] == "Dr Claire Garonne"

    english(client).force_login(owner)
    item = client.get(reverse("records:item", args=[note["id"]])).content.decode()
    assert "Suivi du diabète" in item
    assert "Your care team&#x27;s comment" in item or "Your care team's comment" in item
    assert "contrôle dans 3 mois" in item and "— Dr Claire Garonne" in item
    assert "Added by Dr Claire Garonne, médecin généraliste" in item
    timeline = client.get(reverse("records:timeline")).content.decode()
    assert "Suivi du diabète" in timeline and "Dr Claire Garonne" in timeline


def test_an_empty_note_is_refused(client):
    _owner, pid, gp = shared_in_writing(categories=["consultations"])
    english(client).force_login(gp)
    response = client.post(
        url(pid, "consultation"), {"reason": "Suivi", "text": "   ", "day": "2025-03-04"}
    )
    assert response.status_code == 400
    assert "This field is needed" in response.content.decode()
