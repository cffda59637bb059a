"""A practitioner records an allergy: asserted and recorded by them, in the emergency set."""

from __future__ import annotations

from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.records import services as records

from .people import english
from .pro_entry import shared_in_writing, url


def test_the_gp_records_a_serious_penicillin_allergy(client):
    owner, pid, gp = shared_in_writing(categories=["problems"])
    english(client).force_login(gp)
    form = client.get(url(pid, "allergie")).content.decode()
    assert "Reaction observed (optional)" in form and "it does not suit me" not in form
    response = client.post(
        url(pid, "allergie"),
        {"substance": "764146007", "kind": "allergy", "reaction": "urticaire", "serious": "on"},
    )
    assert response.status_code == 302
    [allergy] = records.search(
        Actor.of_user(owner), pid, "AllergyIntolerance", Purpose.SELF
    ).resources
    assert allergy["code"]["coding"][0]["code"] == "764146007"
    assert allergy["criticality"] == "high"
    assert allergy["asserter"]["display"] == allergy["recorder"]["display"] == "Dr Claire Garonne"
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "urticaire"

    english(client).force_login(owner)
    home = client.get(reverse("home")).content.decode()
    assert "pénicilline" in home  # what matters first: allergies
    item = client.get(reverse("records:item", args=[allergy["id"]])).content.decode()
    assert "Added by Dr Claire Garonne, médecin généraliste" in item
    assert "Recorded by a health professional" in item


def test_something_else_needs_its_name(client):
    _owner, pid, gp = shared_in_writing(categories=["problems"])
    english(client).force_login(gp)
    response = client.post(url(pid, "allergie"), {"substance": "other", "kind": "allergy"})
    assert response.status_code == 400
    assert "Type what you are allergic to" in response.content.decode()
