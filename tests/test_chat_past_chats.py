"""The chat start page lists the person's own past chats, each opening its closed transcript."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from carnet.access.services import Actor
from carnet.chat import services

from .chat import on_call_doctor, opened, person
from .people import citizen


def _closed_chat(user, pid, doctor, text):
    chat = opened(user, pid, "paediatrics")
    services.take(Actor.of_user(doctor), chat.pk)
    services.send(Actor.of_user(user), chat.pk, text)
    return services.close(Actor.of_user(user), chat.pk)


def test_the_person_finds_their_past_chats_and_reads_each_transcript():
    doctor = on_call_doctor(service="paediatrics")
    user, pid = person("Karim Benali")
    first = _closed_chat(user, pid, doctor, "Ma fille a de la fièvre depuis hier soir")
    second = _closed_chat(user, pid, doctor, "La fièvre est tombée, merci")
    waiting = opened(user, pid, "general")  # in progress: not a past chat

    c = Client()
    c.force_login(user)
    page = c.get(reverse("chat:start")).content.decode()
    past = page.split('id="past-title"')[1]
    links = [reverse("chat:room", args=[ch.pk]) for ch in (second, first)]
    assert past.index(links[0]) < past.index(links[1])  # newest first
    assert reverse("chat:room", args=[waiting.pk]) not in past
    assert "Children" in past or "pédiatrie" in past.lower() or "paediatrics" in past.lower()
    assert "fièvre" not in page  # the list names the service and the time, not the words
    transcript = c.get(links[1]).content.decode()
    assert "Ma fille a de la fièvre depuis hier soir" in transcript


def test_strangers_and_signed_out_visitors_see_no_past_chat():
    doctor = on_call_doctor(service="paediatrics")
    user, pid = person("Karim Benali")
    chat = _closed_chat(user, pid, doctor, "Ma fille a de la fièvre depuis hier soir")
    room = reverse("chat:room", args=[chat.pk])

    stranger = Client()
    stranger.force_login(citizen("Inconnu Total"))
    page = stranger.get(reverse("chat:start")).content.decode()
    assert "past-title" not in page and room not in page
    assert stranger.get(room).status_code == 404

    signed_out = Client().get(reverse("chat:start")).content.decode()
    assert "past-title" not in signed_out and room not in signed_out

    doc = Client()
    doc.force_login(doctor)
    assert "past-title" not in doc.get(reverse("chat:start")).content.decode()
