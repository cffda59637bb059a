"""A parent adds their minor child's record, then sees it while acting for the child."""

from django.urls import reverse
from django.utils import timezone

from carnet.access.models import AuditEntry, Proxy
from carnet.accounts.models import Patient

from .emergency import emergency_doctor
from .people import add_child, citizen


def test_a_parent_adds_a_child_and_opens_the_record(client):
    mum = citizen("Sophie Esquirol", language="fr")
    today = timezone.localdate()
    assert client.get(reverse("coffre:child_add")).status_code == 302  # signed out
    pid = add_child(client, mum, today.replace(year=today.year - 8))
    assert Patient.objects.get(pk=pid).owner is None
    spaces = client.get(reverse("coffre:spaces")).content.decode()
    assert "Léo Esquirol" in spaces
    client.post(reverse("coffre:act_for", args=[pid]))
    page = client.get(reverse("coffre:proxy_record")).content.decode()
    assert "acting-banner" in page and "Léo Esquirol" in page
    assert AuditEntry.objects.filter(patient_id=pid, actor_id=mum.pk, purpose="proxy").exists()


def test_only_minors_and_only_parents(client):
    mum = citizen("Karim Haddad", language="fr")
    client.force_login(mum)
    for born, ticked in (
        ("1990-01-01", "on"),
        ("2999-01-01", "on"),
        ("", "on"),
        ("2020-01-01", ""),
    ):
        page = client.post(
            reverse("coffre:child_add"),
            {"given": "Léo", "family": "E", "birth_date": born, "parent": ticked},
        )
        assert page.status_code == 400 and b"errorlist" in page.content, born
    assert not Proxy.objects.filter(proxy_id=mum.pk).exists()
    client.force_login(emergency_doctor())
    assert client.get(reverse("coffre:child_add")).status_code == 403
