"""Two practitioners of a person's care team talk about them; the person's history says who and when."""

from __future__ import annotations

from django.urls import reverse

from carnet.access import grants
from carnet.access.models import AuditEntry
from carnet.access.services import Actor
from carnet.care.models import Conversation, ConversationMessage

from .care import doctor_of
from .people import citizen, english, pid_of, pro


def team_of_two():
    person = citizen("Henri Marty")
    pid = pid_of(person)
    gp = doctor_of(person, name="Dr Claire Garonne")
    cardio = pro("Dr Marc Capitole", profession="cardiologue")
    grants.share(Actor.of_user(person), pid, cardio.pk, categories=["treatments"], duration="month")
    return person, pid, gp, cardio


def test_care_team_members_talk_and_the_person_sees_who_and_when(client):
    person, pid, gp, cardio = team_of_two()
    english(client).force_login(gp)
    form = client.get(reverse("care:pro_team_new", args=[pid]))
    assert form.status_code == 200 and "Dr Marc Capitole" in form.content.decode()
    sent = client.post(
        reverse("care:pro_team_new", args=[pid]),
        {"colleague": cardio.pk, "subject": "Anticoagulant", "text": "INR instable, ton avis ?"},
    )
    conv = Conversation.objects.get(patient_id=pid)
    assert sent.status_code == 302 and conv.kind == "team" and conv.colleague_id == cardio.pk
    line = ConversationMessage.objects.get(conversation=conv)
    assert b"INR" not in bytes(line.body) and b"Anticoagulant" not in bytes(conv.subject)

    english(client).force_login(cardio)
    listing = client.get(reverse("care:pro_conversations")).content.decode()
    assert "Anticoagulant" in listing and 'data-unread="1"' in listing
    assert "Care team: with Dr Claire Garonne, about Henri Marty" in listing
    url = reverse("care:conversation", args=[conv.pk])
    page = client.get(url).content.decode()
    assert "INR instable, ton avis ?" in page and 'data-team="1"' in page
    assert client.post(url, {"text": "On passe sous apixaban."}).status_code == 302
    english(client).force_login(gp)
    page = client.get(url).content.decode()
    assert "On passe sous apixaban." in page and 'data-receipt="read"' in page

    # The person's access history: who talked about them, when; never what.
    talks = AuditEntry.objects.filter(patient_id=pid, action="messages", purpose="treatment")
    assert set(talks.values_list("actor_id", flat=True)) == {gp.pk, cardio.pk}
    english(client).force_login(person)
    history = client.get(reverse("coffre:history")).content.decode()
    assert "Dr Marc Capitole" in history and "Dr Claire Garonne" in history
    assert "wrote messages" in history
    assert "INR" not in history and "Anticoagulant" not in history and "apixaban" not in history
    # The person does not read the conversation itself, nor list it among theirs.
    assert client.get(url).status_code == 404
    assert "Anticoagulant" not in client.get(reverse("care:conversations")).content.decode()


def test_only_the_care_team_takes_part(client):
    person, pid, gp, cardio = team_of_two()
    outsider = pro("Dr Paul Jolimont", profession="ophtalmologiste")
    english(client).force_login(outsider)
    assert client.get(reverse("care:pro_team_new", args=[pid])).status_code == 404
    english(client).force_login(gp)
    refused = client.post(
        reverse("care:pro_team_new", args=[pid]),
        {"colleague": outsider.pk, "subject": "Fond d'œil", "text": "Bonjour"},
    )
    assert refused.status_code == 400 and not Conversation.objects.exists()
    client.post(
        reverse("care:pro_team_new", args=[pid]),
        {"colleague": cardio.pk, "subject": "Suivi", "text": "Bonjour"},
    )
    conv = Conversation.objects.get()
    for stranger in (outsider, person):
        english(client).force_login(stranger)
        assert client.get(reverse("care:conversation", args=[conv.pk])).status_code == 404

    # When the person withdraws the cardiologist's access, the conversation is closed to them.
    grant = [g for g in grants.list_grants(Actor.of_user(person), pid) if g.kind == "care"][0]
    grants.revoke(Actor.of_user(person), pid, grant.id)
    english(client).force_login(cardio)
    assert client.get(reverse("care:conversation", args=[conv.pk])).status_code == 404
    assert (
        client.post(reverse("care:conversation", args=[conv.pk]), {"text": "x"}).status_code == 404
    )
    assert conv.lines.count() == 1
