"""A nurse or doctor records a vaccination they gave, with its batch number: the primary
source, performed by them, in the person's vaccinations."""

from __future__ import annotations

from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.notify.models import Message
from carnet.records import services as records

from .people import english
from .pro_entry import shared_in_writing, url


def test_the_gp_records_a_flu_vaccination_with_its_batch_number(client):
    owner, pid, gp = shared_in_writing(categories=["vaccines"])
    english(client).force_login(gp)
    form = client.get(url(pid, "vaccin")).content.decode()
    assert "As written on the vial" in form and "your vaccination booklet" not in form
    response = client.post(
        url(pid, "vaccin"),
        {"vaccine": "J07BB", "day": "2025-10-14", "product": "Vaxigrip Tetra", "lot": " X3F21 "},
    )
    assert response.status_code == 302
    [imm] = records.search(Actor.of_user(owner), pid, "Immunization", Purpose.SELF).resources
    assert imm["vaccineCode"]["coding"][0]["code"] == "J07BB"
    assert imm["vaccineCode"]["text"] == "Vaxigrip Tetra"
    assert imm["lotNumber"] == "X3F21" and imm["occurrenceDateTime"] == "2025-10-14"
    # Given by the GP: the primary source, not a copy from a booklet.
    assert imm["primarySource"] is True and "reportOrigin" not in imm
    assert imm["performer"][0]["actor"]["display"] == "Dr Claire Garonne"
    assert Message.objects.filter(user=owner, event="record_added").exists()

    english(client).force_login(owner)
    item = client.get(reverse("records:item", args=[imm["id"]])).content.decode()
    assert "Added by Dr Claire Garonne, médecin généraliste" in item


def test_a_vaccination_in_the_future_is_refused(client):
    owner, pid, gp = shared_in_writing(categories=["vaccines"])
    english(client).force_login(gp)
    response = client.post(url(pid, "vaccin"), {"vaccine": "J07BB", "day": "2999-01-01"})
    assert response.status_code == 400
    assert "This date is in the future" in response.content.decode()
    assert not records.search(Actor.of_user(owner), pid, "Immunization", Purpose.SELF).total


def test_the_person_copying_from_their_booklet_is_still_a_copy(client):
    """The same form and builder serve the person: their vaccination stays a secondary source."""
    owner, pid, _gp = shared_in_writing(categories=["vaccines"])
    english(client).force_login(owner)
    assert (
        client.post(
            reverse("records:entry_add", args=["vaccin"]), {"vaccine": "J07BB", "day": "2024-10-01"}
        ).status_code
        == 302
    )
    [imm] = records.search(Actor.of_user(owner), pid, "Immunization", Purpose.SELF).resources
    assert imm["primarySource"] is False and "performer" not in imm
    assert imm["meta"]["tag"][0]["code"] == "entered-by-patient"
