"""The person lets a relative act for them: what, on what basis, until when."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from carnet.access.models import AuditEntry, Proxy

from .emergency import emergency_doctor, readable_record
from .people import citizen


def test_henri_lets_his_daughter_read_and_manage_appointments(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    sophie = citizen("Sophie Esquirol", language="fr")
    client.force_login(henri)
    assert client.get(reverse("coffre:proxies")).status_code == 200
    until = timezone.localdate() + timedelta(days=365)
    done = client.post(
        reverse("coffre:proxies"),
        {
            "email": sophie.email,
            "permissions": ["read", "appointments"],
            "basis": "choice",
            "until": until.isoformat(),
        },
    )
    assert done.status_code == 302
    proxy = Proxy.objects.get(patient_id=pid, proxy_id=sophie.pk)
    assert proxy.permissions == 1 | 2 and proxy.basis == "choice" and proxy.max_level == "N"
    assert timezone.localtime(proxy.expires_at).date() == until + timedelta(days=1)
    page = client.get(reverse("coffre:proxies")).content.decode()
    assert "Sophie Esquirol" in page and reverse("coffre:proxy_revoke", args=[proxy.pk]) in page
    assert AuditEntry.objects.filter(patient_id=pid, action="grant", purpose="self").exists()


def test_mistakes_are_explained_and_change_nothing(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    client.force_login(henri)
    cases = [
        ({"email": "inconnu@example.org", "permissions": ["read"], "basis": "choice"}, "email"),
        ({"email": henri.email, "permissions": ["read"], "basis": "choice"}, "email"),
        ({"email": emergency_doctor().email, "permissions": ["read"], "basis": "choice"}, "email"),
        ({"email": citizen("Karim Haddad", language="fr").email, "basis": "choice"}, "permissions"),
        (
            {
                "email": citizen("Karim Haddad", language="fr").email,
                "permissions": ["read"],
                "basis": "bank",
            },
            "basis",
        ),
        (
            {
                "email": citizen("Karim Haddad", language="fr").email,
                "permissions": ["read"],
                "basis": "choice",
                "until": "2001-01-01",
            },
            "until",
        ),
    ]
    for data, field in cases:
        page = client.post(reverse("coffre:proxies"), data)
        assert page.status_code == 400, data
        assert field in page.context["form"].errors, (data, page.context["form"].errors)
    assert not Proxy.objects.filter(patient_id=pid).exists()
