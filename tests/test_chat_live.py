"""The live chat over WebSocket (Channels consumer), both directions, and who may connect."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from carnet.access.services import Actor
from carnet.asgi import application
from carnet.chat import services
from carnet.chat.models import ChatMessage

from .chat import cookie_of, open_chat, person, socket

# The consumer reaches the database from worker threads: a real transaction per test.
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_messages_go_both_ways_live():
    user, doctor, chat = open_chat()
    user_cookie, doctor_cookie = cookie_of(user), cookie_of(doctor)

    async def play():
        citizen = socket(user_cookie, chat.pk)
        pro = socket(doctor_cookie, chat.pk)
        assert (await citizen.connect())[0] and (await pro.connect())[0]
        await citizen.send_json_to({"after": 0})
        assert (await citizen.receive_json_from())["status"] == "open"
        await citizen.send_json_to({"text": "J'ai mal à la gorge depuis trois jours."})
        mine = await citizen.receive_json_from(timeout=5)
        theirs = await pro.receive_json_from(timeout=5)
        assert mine["messages"][0]["mine"] is True
        assert theirs["messages"][0]["text"] == "J'ai mal à la gorge depuis trois jours."
        assert theirs["messages"][0]["mine"] is False
        await pro.send_json_to({"text": "Avez-vous de la fièvre ?"})
        back = await citizen.receive_json_from(timeout=5)
        assert [m["text"] for m in back["messages"]] == ["Avez-vous de la fièvre ?"]
        assert back["messages"][0]["author"] == "Dr Hugo Rangueil"
        await pro.receive_json_from(timeout=5)
        await citizen.disconnect()
        await pro.disconnect()

    async_to_sync(play)()
    texts = list(ChatMessage.objects.filter(chat=chat).values_list("from_practitioner", flat=True))
    assert texts == [False, True]


def test_a_message_sent_by_form_reaches_an_open_socket():
    user, doctor, chat = open_chat()
    doctor_cookie = cookie_of(doctor)

    async def play():
        pro = socket(doctor_cookie, chat.pk)
        assert (await pro.connect())[0]
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.send)(
            Actor.of_user(user), chat.pk, "par le formulaire"
        )
        got = await pro.receive_json_from(timeout=5)
        assert [m["text"] for m in got["messages"]] == ["par le formulaire"]
        await pro.disconnect()

    async_to_sync(play)()


def test_strangers_and_other_origins_are_refused():
    user, doctor, chat = open_chat()
    stranger, _pid = person("Léa Petit", allergy=False)
    stranger_cookie, user_cookie = cookie_of(stranger), cookie_of(user)

    async def play():
        refused = socket(stranger_cookie, chat.pk)
        connected, code = await refused.connect()
        assert not connected and code == 4404
        elsewhere = socket(user_cookie, chat.pk, origin="https://evil.example")
        connected, _code = await elsewhere.connect()
        assert not connected
        anonymous = WebsocketCommunicator(
            application, f"/ws/urgence-tchat/{chat.pk}/", headers=[(b"origin", b"http://localhost")]
        )
        connected, code = await anonymous.connect()
        assert not connected and code == 4404

    async_to_sync(play)()


def test_the_channel_layer_is_redis_when_redis_url_is_set():
    """CI runs this file again with REDIS_URL: the live chat then goes through Redis."""
    import os

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "channels_redis.core.RedisChannelLayer"
    else:
        assert backend == "channels.layers.InMemoryChannelLayer"
