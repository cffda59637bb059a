"""A daughter with a proxy for her father books for him and writes to his doctor, as herself."""

from __future__ import annotations

from django.urls import reverse

from carnet.access import proxies
from carnet.access.models import AuditEntry
from carnet.access.services import Actor
from carnet.care.models import Appointment, Conversation, ConversationMessage

from .care import doctor_of, first_free, open_every_day
from .people import citizen, english, pid_of


def daughter_acting_for_father(client, permissions=("read", "appointments", "messages")):
    father, daughter = citizen("Henri Marty"), citizen("Sophie Esquirol")
    pid = pid_of(father)
    doctor = doctor_of(father, name="Dr Claire Garonne")
    proxies.add_proxy(Actor.of_user(father), pid, daughter.pk, permissions=permissions)
    english(client).force_login(daughter)
    assert client.post(reverse("coffre:act_for", args=[pid])).status_code == 302
    return father, daughter, pid, doctor


def test_she_books_for_him_and_writes_to_his_doctor(client):
    father, daughter, pid, doctor = daughter_acting_for_father(client)
    kind = open_every_day(doctor)
    start = first_free(doctor, kind)
    booked = client.post(
        reverse("care:appointment_book", args=[doctor.pk]),
        {"type": kind.pk, "start": start.isoformat()},
    )
    assert booked.status_code == 302
    appt = Appointment.objects.get()
    assert (appt.patient_id, appt.booked_by_id) == (pid, daughter.pk)
    assert not Appointment.objects.filter(patient_id=pid_of(daughter)).exists()
    assert "Dr Claire Garonne" in client.get(reverse("care:appointments")).content.decode()

    # His doctor is someone she may write to, though she does not manage his sharing.
    form = client.get(reverse("care:conversation_new")).content.decode()
    assert "Dr Claire Garonne" in form
    sent = client.post(
        reverse("care:conversation_new"),
        {"practitioner": doctor.pk, "subject": "Papa", "text": "Il tousse depuis une semaine."},
    )
    assert sent.status_code == 302
    conv = Conversation.objects.get()
    assert conv.patient_id == pid and conv.started_by_id == daughter.pk
    assert ConversationMessage.objects.get().author_id == daughter.pk
    entry = AuditEntry.objects.filter(patient_id=pid, actor_id=daughter.pk, action="messages")
    assert entry.filter(purpose="proxy", decision="permit").exists()

    english(client).force_login(doctor)
    page = client.get(reverse("care:conversation", args=[conv.pk])).content.decode()
    assert "Il tousse depuis une semaine." in page and "Sophie Esquirol" in page


def test_without_the_permissions_she_can_neither_book_nor_write(client):
    father, daughter, pid, doctor = daughter_acting_for_father(client, permissions=("read",))
    kind = open_every_day(doctor)
    refused = client.post(
        reverse("care:appointment_book", args=[doctor.pk]),
        {"type": kind.pk, "start": first_free(doctor, kind).isoformat()},
    )
    # Said plainly (403), not answered with her own appointments.
    assert refused.status_code == 403 and not Appointment.objects.exists()
    assert "Henri Marty" in refused.content.decode()
    form = client.get(reverse("care:conversation_new")).content.decode()
    assert "Dr Claire Garonne" not in form
    client.post(
        reverse("care:conversation_new"),
        {"practitioner": doctor.pk, "subject": "Papa", "text": "Bonjour"},
    )
    assert not Conversation.objects.exists()
