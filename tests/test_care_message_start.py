"""The person starts a conversation with their doctor, attaching an item of their record."""

from django.urls import reverse

from carnet.care.models import Conversation, ConversationMessage
from carnet.notify.models import Message

from .care import doctor_of, person_with_treatment, start


def test_it_starts_a_conversation_encrypted_and_tells_the_doctor(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    response = start(client, person, doctor, med_id)
    conv = Conversation.objects.get(patient_id=pid)
    assert response.status_code == 302
    assert response["Location"] == reverse("care:conversation", args=[conv.pk])
    line = ConversationMessage.objects.get(conversation=conv)
    assert line.patient_id == pid and not line.from_practitioner
    assert b"metformine" not in bytes(line.body).lower()
    assert b"traitement" not in bytes(conv.subject)
    assert Message.objects.filter(user=doctor, event="new_message").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Puis-je arrêter la metformine ?" in page
    assert "Attached: Metformine 1000 mg" in page
    assert 'data-receipt="unread"' in page


def test_it_says_what_to_do_when_nothing_is_written(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    response = start(client, person, doctor, med_id, text="")
    assert response.status_code == 400
    assert "Write your message, then send it." in response.content.decode()
    assert not Conversation.objects.exists()


def test_it_writes_only_to_practitioners_the_person_shares_with(client):
    person, pid, med_id = person_with_treatment()
    doctor_of(person)
    other = doctor_of(person_with_treatment("Léa Petit")[0], name="Dr Paul Noir")
    response = start(client, person, other, med_id)
    assert response.status_code == 400
    assert not Conversation.objects.filter(patient_id=pid).exists()
