"""Take everything back at once: the médecin traitant, every grant, emergencies in progress."""

from django.urls import reverse

from carnet.access import emergency, grants
from carnet.access.models import EmergencyAccess, Grant
from carnet.access.services import Actor

from .access_records import can_read, record_with_items
from .people import citizen, english, pro


def test_it_asks_first_then_withdraws_everyone(client):
    owner, pid, made = record_with_items(citizen())
    physio, gp, er = pro(), pro("Claire Garonne", "médecin généraliste"), pro("Dr Urgences")
    me = Actor.of_user(owner)
    grants.share(me, pid, physio.pk, categories=["measurements"], duration="until_revoked")
    grants.set_referent(me, pid, gp.pk)
    emergency.break_glass(Actor.of_user(er), pid, "unconscious after a fall")
    english(client).force_login(owner)
    confirm = client.get(reverse("coffre:sharing_revoke_all"))
    html = confirm.content.decode()
    assert "Julien Carmes" in html and "Claire Garonne" in html
    assert Grant.objects.filter(patient_id=pid, revoked_at__isnull=True).count() == 2
    response = client.post(reverse("coffre:sharing_revoke_all"))
    assert response.status_code == 302
    assert not Grant.objects.filter(patient_id=pid, revoked_at__isnull=True).exists()
    assert not EmergencyAccess.objects.filter(patient_id=pid, ended_at__isnull=True).exists()
    for who in (physio, gp, er):
        assert not can_read(Actor.of_user(who), made["knee"])
    assert "Every access is withdrawn" in client.get(reverse("coffre:sharing")).content.decode()


def test_with_nobody_to_withdraw_it_says_so(client):
    owner = citizen()
    english(client).force_login(owner)
    response = client.post(reverse("coffre:sharing_revoke_all"), follow=True)
    assert "Nobody had access" in response.content.decode()
