"""The person refuses emergency access in advance on their page; the glass then stays whole."""

from django.urls import reverse

from carnet.access.models import AuditEntry, EmergencyAccess, EmergencySettings

from .emergency import emergency_doctor, readable_record


def test_the_person_refuses_then_no_practitioner_can_open(client):
    owner, pid, _made = readable_record()
    client.force_login(owner)
    page = client.get(reverse("coffre:emergency_settings"))
    assert page.status_code == 200 and b'name="refuse" value="1"' in page.content
    done = client.post(reverse("coffre:emergency_refusal"), {"refuse": "1"})
    assert done.status_code == 302
    assert EmergencySettings.objects.get(patient_id=pid).refuse
    assert b'name="refuse" value="0"' in client.get(reverse("coffre:emergency_settings")).content

    client.force_login(emergency_doctor())
    page = client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "coma"})
    assert page.status_code == 400 and b'role="alert"' in page.content
    assert "Haddad" not in page.content.decode()
    assert not EmergencyAccess.objects.filter(patient_id=pid).exists()
    assert (
        AuditEntry.objects.filter(patient_id=pid, action="break_glass", decision="deny").count()
        == 1
    )


def test_refusing_ends_an_access_in_progress_and_accepting_again_reopens(client):
    owner, pid, _made = readable_record()
    doc = emergency_doctor()
    client.force_login(doc)
    client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "chute"})
    client.force_login(owner)
    sessions = client.get(reverse("coffre:emergency_settings")).content.decode()
    assert doc.display_name in sessions and "chute" in sessions  # flagged, to review
    client.post(reverse("coffre:emergency_refusal"), {"refuse": "1"})
    client.force_login(doc)
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 404
    client.force_login(owner)
    client.post(reverse("coffre:emergency_refusal"), {"refuse": "0"})
    client.force_login(doc)
    client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "chute"})
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 200


def test_nobody_else_changes_my_emergency_settings(client):
    _owner, pid, _made = readable_record()
    client.force_login(emergency_doctor())
    assert client.post(reverse("coffre:emergency_refusal"), {"refuse": "1"}).status_code == 404
    assert not EmergencySettings.objects.filter(patient_id=pid, refuse=True).exists()
