"""Practitioners on call are told once that someone waits in the emergency chat, with no detail."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnet.access.services import Actor
from carnet.chat import services
from carnet.notify import events
from carnet.notify import services as notify
from carnet.notify.models import Message, Notification

from .chat import on_call_doctor, opened, person
from .people import pro

SITE = "https://carnet.example.org"


def _told(user):
    return Message.objects.filter(user=user, event="chat_waiting")


def test_the_practitioners_on_call_for_the_service_are_told_once_per_chat(settings):
    settings.CARNET_SITE_URL = SITE
    lucie = on_call_doctor("Dr Lucie Purpan", service="mental_health")
    hugo = on_call_doctor("Dr Hugo Rangueil", service="mental_health")
    other_service = on_call_doctor("Dr Anne Larrey", service="general")
    off_call = pro("Dr Paul Sabatier")
    # Lucie wants SMS too, and sleeps now: someone waiting does not wait for her quiet hours.
    now = timezone.localtime()
    notify.update_preferences(
        lucie,
        sms=True,
        phone="+33612345678",
        quiet_start=(now - dt.timedelta(hours=1)).time().replace(microsecond=0),
        quiet_end=(now + dt.timedelta(hours=1)).time().replace(microsecond=0),
    )
    user, pid = person("Karim Benali")

    chat = opened(user, pid, "mental_health")
    assert {m.channel for m in _told(lucie)} == {"in_app", "sms"}  # never email: too slow
    assert {m.channel for m in _told(hugo)} == {"in_app"}
    assert not _told(other_service).exists() and not _told(off_call).exists()
    assert all(m.urgent and m.next_attempt_at <= timezone.now() for m in _told(lucie))
    assert not Message.objects.filter(user=user, event="chat_waiting").exists()

    # Asking again, and the desks polling, tell nobody again.
    assert opened(user, pid, "mental_health").pk == chat.pk
    desk = Client()
    desk.force_login(hugo)
    for _ in range(3):
        assert desk.get(reverse("chat:pro_desk_poll")).json()["waiting"] == [chat.pk]
    desk.get(reverse("chat:pro_desk"))
    assert _told(lucie).count() == 2 and _told(hugo).count() == 1

    for message in Message.objects.filter(event="chat_waiting"):
        for lang in events.LANGUAGES:
            for channel in ("email", "sms", "push"):
                blob = str(events.render(message.event, channel, message.params, lang))
                for word in ("Karim", "Benali", "mental", "Mental", "psych", "Pénicilline"):
                    assert word not in blob, (word, blob)
                assert SITE + reverse("chat:pro_desk") in blob
    [note] = Notification.objects.filter(user=hugo)
    assert note.url == SITE + "/pro/garde/"

    # The next chat is a new one: told again, once.
    services.close(Actor.of_user(user), chat.pk)
    opened(user, pid, "mental_health")
    assert _told(hugo).count() == 2


def test_nobody_on_call_nobody_told_and_the_chat_still_opens():
    user, pid = person()
    off_call = pro("Dr Paul Sabatier")
    services.join(Actor.of_user(off_call), "general")
    services.leave(Actor.of_user(off_call), "general")
    chat = opened(user, pid, "general")
    assert chat.status == "waiting"
    assert not Message.objects.filter(event="chat_waiting").exists()
