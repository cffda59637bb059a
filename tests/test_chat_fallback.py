"""Without WebSocket (or without JavaScript): send with a form POST, read by reloading or
by polling the JSON endpoint with ``after=<id>``. Messages are encrypted at rest."""

from django.urls import reverse

from carnet.access.services import Actor
from carnet.chat import services
from carnet.chat.models import ChatMessage

from .chat import on_call_doctor, opened, person
from .people import english


def test_a_form_post_sends_and_the_other_side_polls_it(client):
    user, pid = person()
    doctor = on_call_doctor()
    chat = opened(user, pid)
    services.take(Actor.of_user(doctor), chat.pk)
    room = reverse("chat:room", args=[chat.pk])
    english(client).force_login(user)
    answer = client.post(room, {"text": "Mon fils a 39,5 de fièvre."})
    assert answer.status_code == 302 and answer["Location"].startswith(room)
    assert "Mon fils a 39,5 de fièvre." in client.get(room).content.decode()
    line = ChatMessage.objects.get(chat=chat)
    assert b"fi\xc3\xa8vre" not in bytes(line.body) and line.patient_id == pid

    client.force_login(doctor)
    poll = client.get(reverse("chat:poll", args=[chat.pk]), {"after": 0}).json()
    assert poll["status"] == "open"
    assert [(m["text"], m["mine"]) for m in poll["messages"]] == [
        ("Mon fils a 39,5 de fièvre.", False)
    ]
    reply = client.post(room, {"text": "Donnez-lui à boire."}, HTTP_X_REQUESTED_WITH="fetch")
    assert reply.json() == {"ok": True}
    client.force_login(user)
    newer = client.get(reverse("chat:poll", args=[chat.pk]), {"after": line.pk}).json()
    assert [m["text"] for m in newer["messages"]] == ["Donnez-lui à boire."]
    assert newer["practitioner"] == "Dr Hugo Rangueil"


def test_an_empty_message_says_what_to_do(client):
    user, pid = person()
    chat = opened(user, pid)
    english(client).force_login(user)
    answer = client.post(reverse("chat:room", args=[chat.pk]), {"text": "  "})
    assert answer.status_code == 400
    assert "Write your message, then send it." in answer.content.decode()
    assert not ChatMessage.objects.exists()


def test_the_chat_page_works_without_javascript(client):
    user, pid = person()
    chat = opened(user, pid)
    english(client).force_login(user)
    page = client.get(reverse("chat:room", args=[chat.pk])).content.decode()
    assert f'action="{reverse("chat:room", args=[chat.pk])}"' in page
    assert "See new messages" in page  # a plain link reloads the chat
    assert "<script>" not in page and "onclick" not in page
