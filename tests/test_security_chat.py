"""Security of the emergency chat beyond who may read it (see test_chat_properties):

- one person cannot ring the practitioners on call again and again: at most
  ``MAX_OPENED_PER_HOUR`` chats an hour, whatever they close in between;
- a live socket ends with the session that opened it (signed out elsewhere, new password,
  account deactivated), on the next frame in and on the next delivery;
- an oversized or binary frame closes the socket unread;
- the practitioner who answered loses a closed chat after a short while.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from carnet.access.services import Actor
from carnet.chat import consumers, services
from carnet.chat.models import Chat
from carnet.notify.models import Message

from .chat import NO_FLAGS, cookie_of, on_call_doctor, open_chat, opened, person, socket
from .people import english


def _session_key(cookie: str) -> str:
    return cookie.split("=", 1)[1]


def _end_session(cookie: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore().delete(_session_key(cookie))


# --- too many chats ---------------------------------------------------------------------------


def test_one_person_cannot_ring_the_on_call_practitioners_again_and_again(client):
    user, pid = person(allergy=False)
    doctor = on_call_doctor()
    me = Actor.of_user(user)
    for _ in range(services.MAX_OPENED_PER_HOUR):
        services.close(me, opened(user, pid).pk)
    with pytest.raises(services.TooManyChats):
        opened(user, pid)
    rung = Message.objects.filter(user_id=doctor.pk, event="chat_waiting", channel="in_app")
    assert rung.count() == services.MAX_OPENED_PER_HOUR
    # The page says what to do now: the numbers, which never wait.
    english(client).force_login(user)
    answer = client.post(reverse("chat:open"), {**NO_FLAGS, "service": "general"})
    assert answer.status_code == 429
    page = answer.content.decode()
    assert "several times in the last hour" in page and 'href="tel:15"' in page
    assert Chat.objects.filter(started_by_id=user.pk).count() == services.MAX_OPENED_PER_HOUR
    # An hour later, the person may ask again.
    Chat.objects.filter(started_by_id=user.pk).update(
        created_at=timezone.now() - timedelta(hours=1, minutes=1)
    )
    assert opened(user, pid).status == "waiting"


def test_a_chat_in_progress_is_returned_and_never_counted_twice():
    user, pid = person(allergy=False)
    first = opened(user, pid)
    for _ in range(services.MAX_OPENED_PER_HOUR + 2):
        assert opened(user, pid).pk == first.pk
    assert Chat.objects.filter(started_by_id=user.pk).count() == 1


# --- the socket ends with the session -----------------------------------------------------------

pytestmark_live = pytest.mark.django_db(transaction=True, databases="__all__")


@pytestmark_live
@pytest.mark.parametrize("how", ["signed_out_elsewhere", "new_password", "deactivated"])
def test_a_socket_ends_with_its_session_on_the_next_frame(how):
    user, _doctor, chat = open_chat()
    cookie = cookie_of(user)

    def end():
        if how == "signed_out_elsewhere":
            _end_session(cookie)
        elif how == "new_password":
            user.set_password("another long passphrase here")
            user.save()
        else:
            user.is_active = False
            user.save()

    async def play():
        ws = socket(cookie, chat.pk)
        assert (await ws.connect())[0]
        await ws.send_json_to({"after": 0})
        assert (await ws.receive_json_from(timeout=5))["status"] == "open"
        await database_sync_to_async(end)()
        await ws.send_json_to({"text": "encore là ?"})
        out = await ws.receive_output(timeout=5)
        assert out == {"type": "websocket.close", "code": consumers.SIGNED_OUT}

    async_to_sync(play)()
    assert not chat.lines.exists()  # nothing was written after the session ended


@pytestmark_live
def test_a_socket_whose_session_ended_gets_no_more_messages():
    user, doctor, chat = open_chat()
    doctor_cookie = cookie_of(doctor)

    async def play():
        pro = socket(doctor_cookie, chat.pk)
        assert (await pro.connect())[0]
        await database_sync_to_async(_end_session)(doctor_cookie)
        await database_sync_to_async(services.send)(
            Actor.of_user(user), chat.pk, "Mon enfant a 40 de fièvre."
        )
        out = await pro.receive_output(timeout=5)
        assert out["type"] == "websocket.close"
        assert "fièvre" not in str(out)

    async_to_sync(play)()


@pytestmark_live
@pytest.mark.parametrize("frame", ["huge_text", "binary"])
def test_an_oversized_or_binary_frame_closes_the_socket_unread(frame):
    user, _doctor, chat = open_chat()
    cookie = cookie_of(user)

    async def play():
        ws = socket(cookie, chat.pk)
        assert (await ws.connect())[0]
        if frame == "huge_text":
            await ws.send_to(text_data='{"text": "' + "a" * consumers.MAX_FRAME + '"}')
        else:
            await ws.send_to(bytes_data=b"\x00" * 10)
        out = await ws.receive_output(timeout=5)
        assert out == {"type": "websocket.close", "code": consumers.TOO_BIG}

    async_to_sync(play)()
    assert not chat.lines.exists()


@pytestmark_live
def test_the_longest_message_still_fits_in_a_frame():
    user, _doctor, chat = open_chat()
    cookie = cookie_of(user)
    text = '"' * services.MAX_TEXT  # every character escaped in JSON

    async def play():
        ws = socket(cookie, chat.pk)
        assert (await ws.connect())[0]
        await ws.send_json_to({"text": text})
        got = await ws.receive_json_from(timeout=5)
        assert got["messages"][0]["text"] == text

    async_to_sync(play)()


# --- after the chat ------------------------------------------------------------------------------


def test_the_practitioner_loses_a_closed_chat_after_a_short_while(client):
    user, pid = person(allergy=False)
    doctor = on_call_doctor()
    chat = opened(user, pid)
    services.take(Actor.of_user(doctor), chat.pk)
    services.send(Actor.of_user(user), chat.pk, "J'ai très peur.")
    services.close(Actor.of_user(user), chat.pk)
    client.force_login(doctor)
    room = reverse("chat:room", args=[chat.pk])
    assert client.get(room).status_code == 200  # just closed: they see it ended
    Chat.objects.filter(pk=chat.pk).update(
        closed_at=timezone.now() - services.PRACTITIONER_AFTER_CLOSE - timedelta(seconds=1)
    )
    for url in (room, reverse("chat:poll", args=[chat.pk])):
        answer = client.get(url)
        assert answer.status_code == 404 and "peur" not in answer.content.decode()
    # The person keeps their own chat.
    client.force_login(user)
    assert "très peur." in client.get(room).content.decode()


def test_a_proxy_no_longer_allowed_to_write_for_the_person_loses_the_chat():
    from carnet.access import proxies

    from .people import citizen

    user, pid = person(allergy=False)
    owner = Actor.of_user(user)
    relative = citizen("Nadia Benali")
    row = proxies.add_proxy(owner, pid, relative.pk, permissions=("read", "messages"))
    chat = services.open_chat(Actor.of_user(relative), pid, "general", NO_FLAGS)
    services.send(Actor.of_user(relative), chat.pk, "Ma mère a chuté.")
    # Still a proxy, but only to read now.
    proxies.revoke_proxy(owner, pid, row.pk)
    proxies.add_proxy(owner, pid, relative.pk, permissions=("read",))
    for call in (services.lines, services.close):
        with pytest.raises(services.NotFound):
            call(Actor.of_user(relative), chat.pk)
    with pytest.raises(services.NotFound):
        services.send(Actor.of_user(relative), chat.pk, "encore")
