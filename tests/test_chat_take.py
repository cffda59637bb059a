"""A practitioner on call takes a waiting chat and, with the person's consent, sees the
emergency information through the access policy (purpose emergency, flagged, audited)."""

import pytest
from django.urls import reverse

from carnet.access import audit
from carnet.access.services import Actor
from carnet.chat import services
from carnet.chat.models import ChatStatus

from .chat import on_call_doctor, opened, person
from .people import english, pro


def test_only_practitioners_on_call_for_the_service_see_and_take_it():
    user, pid = person()
    chat = opened(user, pid, "paediatrics")
    general = Actor.of_user(on_call_doctor("Dr Anne Général"))
    assert services.waiting(general) == []
    with pytest.raises(services.NotFound):
        services.take(general, chat.pk)
    paediatrician = Actor.of_user(on_call_doctor("Dr Paul Enfant", "paediatrics"))
    assert [w.id for w in services.waiting(paediatrician)] == [chat.pk]
    taken = services.take(paediatrician, chat.pk)
    assert taken.status == ChatStatus.OPEN and taken.practitioner_id == paediatrician.user_id
    other = Actor.of_user(on_call_doctor("Dr Zoé Tard", "paediatrics"))
    with pytest.raises(services.NotFound):  # first come: nobody takes it twice
        services.take(other, chat.pk)


def test_the_practitioner_sees_the_dataset_only_with_consent_and_it_is_audited():
    user, pid = person()
    doctor = Actor.of_user(on_call_doctor())
    chat = opened(user, pid, share=True)
    services.take(doctor, chat.pk)
    resources = services.dataset(doctor, chat.pk)
    assert any(r.get("resourceType") == "AllergyIntolerance" for r in resources)
    reads = [
        e
        for e in audit.history(pid)
        if e["actor_id"] == doctor.user_id and e["action"] == "read" and e["decision"] == "permit"
    ]
    assert reads and reads[0]["purpose"] == "emergency" and reads[0]["flagged"]
    services.close(doctor, chat.pk)
    with pytest.raises(services.NotFound):
        services.dataset(doctor, chat.pk)


def test_without_consent_the_practitioner_sees_nothing_of_the_record():
    user, pid = person()
    doctor = Actor.of_user(on_call_doctor())
    chat = opened(user, pid, share=False)
    services.take(doctor, chat.pk)
    with pytest.raises(services.NotFound):
        services.dataset(doctor, chat.pk)
    assert not any(
        e["actor_id"] == doctor.user_id and e["action"] == "read" for e in audit.history(pid)
    )


def test_the_desk_lists_waiting_people_and_the_dataset_page_shows_the_allergy(client):
    user, pid = person()
    doctor = on_call_doctor()
    chat = opened(user, pid, share=True)
    english(client).force_login(doctor)
    desk = client.get(reverse("chat:pro_desk")).content.decode()
    assert reverse("chat:pro_take", args=[chat.pk]) in desk
    assert "Karim" not in desk  # nothing of the person before taking the chat
    assert client.get(reverse("chat:pro_desk_poll")).json() == {"waiting": [chat.pk]}
    answer = client.post(reverse("chat:pro_take", args=[chat.pk]))
    assert answer["Location"] == reverse("chat:room", args=[chat.pk])
    page = client.get(reverse("chat:dataset", args=[chat.pk])).content.decode()
    assert "Pénicilline" in page


def test_going_on_and_off_call_from_the_desk(client):
    doctor = pro("Dr Hugo Rangueil", profession="médecin généraliste")
    english(client).force_login(doctor)
    client.post(reverse("chat:pro_on_call"), {"service": "mental_health", "on": "1"})
    assert services.on_call(Actor.of_user(doctor)) == {"mental_health"}
    client.post(reverse("chat:pro_on_call"), {"service": "mental_health", "on": "0"})
    assert services.on_call(Actor.of_user(doctor)) == set()


def test_citizens_have_no_desk(client):
    user, _pid = person()
    english(client).force_login(user)
    assert client.get(reverse("chat:pro_desk")).status_code == 404
    assert (
        client.post(reverse("chat:pro_on_call"), {"service": "general", "on": "1"}).status_code
        == 404
    )
