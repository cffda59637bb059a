"""Either participant closes the chat; the transcript is kept in the person's record."""

import base64

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.chat import services
from carnet.chat.models import ChatStatus
from carnet.records import services as records

from .chat import on_call_doctor, opened, person
from .people import english


def chat_with_two_messages(share=False):
    user, pid = person()
    doctor = Actor.of_user(on_call_doctor())
    chat = opened(user, pid, share=share)
    services.take(doctor, chat.pk)
    services.send(Actor.of_user(user), chat.pk, "J'ai de la fièvre depuis hier.")
    services.send(doctor, chat.pk, "Prenez du paracétamol et buvez.")
    return user, pid, doctor, chat


@pytest.mark.parametrize("closer", ["person", "practitioner"])
def test_either_side_closes_and_the_transcript_is_in_the_timeline(closer):
    user, pid, doctor, chat = chat_with_two_messages()
    actor = Actor.of_user(user) if closer == "person" else doctor
    closed = services.close(actor, chat.pk)
    assert closed.status == ChatStatus.CLOSED and closed.transcript_id
    me = Actor.of_user(user)
    doc = records.read(me, "DocumentReference", closed.transcript_id, Purpose.SELF)
    text = base64.b64decode(doc["content"][0]["attachment"]["data"]).decode()
    assert "J'ai de la fièvre depuis hier." in text and "Prenez du paracétamol" in text
    assert "Dr Hugo Rangueil" in doc["description"]
    timeline = records.timeline(me, pid, Purpose.SELF)
    assert closed.transcript_id in [r["id"] for r in timeline.resources]
    with pytest.raises(services.ChatRefused):
        services.send(me, chat.pk, "encore ?")


def test_closing_twice_keeps_one_transcript_and_ends_the_emergency_access():
    user, pid, doctor, chat = chat_with_two_messages(share=True)
    first = services.close(doctor, chat.pk)
    second = services.close(Actor.of_user(user), chat.pk)
    assert second.transcript_id == first.transcript_id
    page = records.search(Actor.of_user(user), pid, "DocumentReference", Purpose.SELF)
    assert page.total == 1
    with pytest.raises(services.NotFound):
        records.everything(doctor, pid, Purpose.EMERGENCY)


def test_a_chat_closed_before_anyone_wrote_keeps_nothing():
    user, pid = person()
    chat = opened(user, pid)
    assert services.close(Actor.of_user(user), chat.pk).transcript_id == ""


def test_the_close_button_shows_the_transcript_in_the_timeline(client):
    user, pid, doctor, chat = chat_with_two_messages()
    english(client).force_login(user)
    answer = client.post(reverse("chat:close", args=[chat.pk]), follow=True)
    body = answer.content.decode()
    assert "Its transcript is kept in your record." in body
    assert 'name="text"' not in body
    timeline = client.get(reverse("records:timeline")).content.decode()
    assert "Emergency chat transcript" in timeline
    documents = client.get(reverse("records:documents"))
    assert documents.status_code == 200
    assert "Emergency chat transcript" in documents.content.decode()
