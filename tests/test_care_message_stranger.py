"""Someone outside a conversation gets 404, and a doctor whose access ended sees nothing."""

from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor
from carnet.care.models import Conversation

from .care import doctor_of, person_with_treatment, start
from .people import citizen, english, pro


def test_strangers_get_404(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    start(client, person, doctor, med_id)
    conv = Conversation.objects.get(patient_id=pid)
    url = reverse("care:conversation", args=[conv.pk])
    for stranger in (citizen("Zoé Inconnue"), pro("Dr Autre")):
        english(client).force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": "Bonjour"}).status_code == 404
    assert conv.lines.count() == 1


def test_a_doctor_whose_access_ended_gets_404(client):
    person, pid, med_id = person_with_treatment()
    doctor = doctor_of(person)
    start(client, person, doctor, med_id)
    conv = Conversation.objects.get(patient_id=pid)
    grants.revoke_all(Actor.of_user(person), pid)
    english(client).force_login(doctor)
    assert client.get(reverse("care:conversation", args=[conv.pk])).status_code == 404
    listing = client.get(reverse("care:pro_conversations")).content.decode()
    assert "Question sur mon traitement" not in listing
