"""The person asks for the emergency chat: only after a triage without red flag."""

import pytest
from django.urls import reverse

from carnet.access import audit
from carnet.access.services import Actor
from carnet.chat import services
from carnet.chat.models import Chat, ChatStatus

from .chat import NO_FLAGS, on_call_doctor, person
from .people import english


def test_it_opens_a_waiting_chat_and_writes_it_in_the_history():
    user, pid = person()
    chat = services.open_chat(Actor.of_user(user), pid, "general", NO_FLAGS, shares_dataset=True)
    assert chat.status == ChatStatus.WAITING and chat.shares_dataset
    entries = [e for e in audit.history(pid) if e["action"] == "messages"]
    assert "emergency chat" in entries[0]["details"]["what"]


def test_it_refuses_a_chat_when_a_red_flag_is_ticked():
    user, pid = person()
    with pytest.raises(services.ChatRefused):
        services.open_chat(Actor.of_user(user), pid, "general", {**NO_FLAGS, "breathing": "yes"})
    assert not Chat.objects.exists()


def test_it_refuses_an_unknown_service_and_keeps_one_chat_at_a_time():
    user, pid = person()
    me = Actor.of_user(user)
    with pytest.raises(services.ChatRefused):
        services.open_chat(me, pid, "astrology", NO_FLAGS)
    first = services.open_chat(me, pid, "general", NO_FLAGS)
    again = services.open_chat(me, pid, "mental_health", NO_FLAGS)
    assert again.pk == first.pk and Chat.objects.count() == 1


def test_a_stranger_cannot_open_a_chat_on_someone_elses_record():
    _user, pid = person()
    stranger, _ = person("Léa Petit", allergy=False)
    with pytest.raises(services.NotFound):
        services.open_chat(Actor.of_user(stranger), pid, "general", NO_FLAGS)


def test_the_pages_lead_from_no_red_flag_to_the_chat(client):
    on_call_doctor()
    user, pid = person()
    english(client).force_login(user)
    choose = client.post(reverse("chat:start"), NO_FLAGS).content.decode()
    assert "1 practitioner on call now" in choose and 'name="share"' in choose
    answer = client.post(reverse("chat:open"), {**NO_FLAGS, "service": "general", "share": "1"})
    chat = Chat.objects.get(patient_id=pid)
    assert answer.status_code == 302 and answer["Location"] == reverse("chat:room", args=[chat.pk])
    assert chat.shares_dataset
    room = client.get(answer["Location"]).content.decode()
    assert "Waiting for a practitioner on call" in room


def test_a_forged_form_with_a_red_flag_shows_the_numbers_not_a_chat(client):
    user, pid = person()
    english(client).force_login(user)
    answer = client.post(reverse("chat:open"), {**NO_FLAGS, "stroke": "yes", "service": "general"})
    assert answer.status_code == 200 and 'href="tel:15"' in answer.content.decode()
    assert not Chat.objects.exists()


def test_signed_out_visitors_are_asked_to_sign_in_for_the_chat(client):
    page = english(client).post(reverse("chat:start"), NO_FLAGS).content.decode()
    assert "Sign in to chat" in page and 'name="service"' not in page
    assert client.post(reverse("chat:open"), {**NO_FLAGS, "service": "general"}).status_code == 302
    assert not Chat.objects.exists()
