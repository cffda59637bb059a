"""Refuse a request: no access, the history says so, and the practitioner is not told."""

from django.urls import reverse

from carnet.access import history, requests
from carnet.access.models import AccessRequest, Grant
from carnet.access.services import Actor

from .access_records import can_read, record_with_items
from .people import citizen, english, pro


def test_refusing_gives_nothing_and_looks_like_waiting_to_the_practitioner(client):
    owner, pid, made = record_with_items(citizen())
    physio = pro()
    req = requests.ask(
        Actor.of_user(physio), target=owner.email, reason="genou", categories=["measurements"]
    )
    english(client).force_login(owner)
    response = client.post(reverse("coffre:request_refuse", args=[req.pk]))
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=req.pk).status == "refused"
    assert not Grant.objects.filter(patient_id=pid).exists()
    assert not can_read(Actor.of_user(physio), made["knee"])
    assert "Carnet does not tell them" in client.get(reverse("coffre:sharing")).content.decode()
    # The history shows who asked, and that it was refused.
    entries = history.page(Actor.of_user(owner), pid, history.Filters()).entries
    asked = [e for e in entries if e.actor_id == physio.pk]
    assert [(e.doing, e.allowed) for e in asked if e.action == "grant"] == [
        ("asked for access", False)
    ]
    # The practitioner sees the same as for a request still waiting, or to nobody.
    client.force_login(physio)
    page = client.get(reverse("coffre:pro_requests")).content.decode()
    assert page.count("data-state=") == page.count('data-state="waiting"') == 1
    # Asking again before the deadline sends nothing new.
    again = requests.ask(
        Actor.of_user(physio), target=owner.email, reason="genou", categories=["measurements"]
    )
    assert again.pk == req.pk


def test_only_the_person_can_refuse(client):
    owner, _pid, _made = record_with_items(citizen())
    physio = pro()
    req = requests.ask(
        Actor.of_user(physio), target=owner.email, reason="genou", categories=["results"]
    )
    english(client).force_login(citizen("Intruder"))
    assert client.post(reverse("coffre:request_refuse", args=[req.pk])).status_code == 409
    client.force_login(physio)
    assert client.post(reverse("coffre:request_refuse", args=[req.pk])).status_code == 404
    assert AccessRequest.objects.get(pk=req.pk).status == "pending"
