"""The practitioner answers; each side sees when the other read their message."""

from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.care.models import Conversation, ConversationMessage
from carnet.notify.models import Message

from .care import doctor_of, person_with_treatment, start
from .people import english


def test_the_doctor_answers_and_read_receipts_follow(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    start(client, person, doctor, med_id)
    conv = Conversation.objects.get(patient_id=pid)
    url = reverse("care:conversation", args=[conv.pk])

    english(client).force_login(doctor)
    listing = client.get(reverse("care:pro_conversations")).content.decode()
    assert "Question sur mon traitement" in listing and 'data-unread="1"' in listing
    page = client.get(url).content.decode()
    assert "Puis-je arrêter la metformine ?" in page
    assert "Attached: Metformine 1000 mg" in page  # read through access, as the referent
    first = ConversationMessage.objects.get(conversation=conv)
    assert first.read_at is not None  # the person's message is now marked read
    assert AuditEntry.objects.filter(
        patient_id=pid, actor_id=doctor.pk, purpose="treatment", decision="permit"
    ).exists()

    answered = client.post(url, {"text": "Non, continuez ; on en parle au prochain rendez-vous."})
    assert answered.status_code == 302
    reply = ConversationMessage.objects.filter(conversation=conv, from_practitioner=True).get()
    assert reply.read_at is None and reply.patient_id == pid
    assert Message.objects.filter(user=person, event="new_message").exists()

    english(client).force_login(person)
    mine = client.get(reverse("care:conversations")).content.decode()
    assert 'data-unread="1"' in mine
    page = client.get(url).content.decode()
    assert "on en parle au prochain rendez-vous" in page
    assert 'data-receipt="read"' in page  # the doctor read the person's message
    reply.refresh_from_db()
    assert reply.read_at is not None


def test_the_doctor_says_when_they_answer(client):
    person, _pid, _med = person_with_treatment()
    doctor = doctor_of(person)
    english(client).force_login(doctor)
    saved = client.post(
        reverse("care:pro_message_habit"),
        {"answers_when": "Weekdays, at noon", "within_days": 3, "accepts_messages": "on"},
    )
    assert saved.status_code == 302
    english(client).force_login(person)
    page = client.get(reverse("care:conversation_new")).content.decode()
    assert "Weekdays, at noon" in page and "answers within 3 days" in page
