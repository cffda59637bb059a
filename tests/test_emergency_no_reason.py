"""Breaking the glass without a reason, or without being a health professional, opens nothing."""

from django.urls import reverse

from carnet.access.models import AuditEntry, EmergencyAccess

from .emergency import emergency_doctor, readable_record
from .people import citizen


def test_it_refuses_an_empty_reason_and_says_what_to_write(client):
    owner, pid, _made = readable_record()
    client.force_login(emergency_doctor())
    page = client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "   "})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="reason-error"' in html and 'aria-invalid="true"' in html
    assert owner.email in html  # what was typed is kept
    assert not EmergencyAccess.objects.filter(patient_id=pid).exists()
    assert not AuditEntry.objects.filter(patient_id=pid, action="break_glass").exists()


def test_it_asks_for_the_person(client):
    client.force_login(emergency_doctor())
    page = client.post(reverse("coffre:emergency"), {"email": "", "reason": "coma"})
    assert page.status_code == 400 and 'id="email-error"' in page.content.decode()


def test_a_citizen_cannot_break_the_glass(client):
    owner, pid, _made = readable_record()
    client.force_login(citizen("Voisin", language="fr"))
    page = client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "chute"})
    assert page.status_code == 403
    assert not EmergencyAccess.objects.exists()
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    page = client.get(reverse("coffre:emergency"))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
