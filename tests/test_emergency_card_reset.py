"""Making a new emergency card invalidates the old one at once."""

from django.urls import reverse

from carnet.access.models import EmergencyAccess

from .emergency import emergency_doctor, make_card, readable_record


def test_the_old_card_stops_working(client):
    owner, pid, _made = readable_record()
    _html, old = make_card(client, owner)
    settings_page = client.get(reverse("coffre:emergency_settings")).content.decode()
    hint = old.rsplit("carnet-card_", 1)[1][:4]
    assert hint in settings_page
    _html, new = make_card(client, owner)
    assert new != old
    client.force_login(emergency_doctor())
    refused = client.post(old[old.index("/urgence/") :], {"reason": "malaise"})
    assert refused.status_code == 400 and b'role="alert"' in refused.content
    assert not EmergencyAccess.objects.filter(patient_id=pid).exists()
    opened = client.post(new[new.index("/urgence/") :], {"reason": "malaise"})
    assert opened.status_code == 302
    assert EmergencyAccess.objects.filter(patient_id=pid, via="card").count() == 1


def test_only_the_person_makes_a_card(client):
    _owner, pid, _made = readable_record()
    client.force_login(emergency_doctor())
    assert client.post(reverse("coffre:card_new")).status_code == 404
