"""Henri takes back his daughter's access: she loses it on her very next page."""

from django.urls import reverse

from carnet.access.models import Proxy

from .emergency import readable_record
from .people import citizen, give


def test_revoking_ends_the_acting_for_at_once(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    sophie = citizen("Sophie Esquirol", language="fr")
    proxy = give(henri, pid, sophie)
    client.force_login(sophie)
    client.post(reverse("coffre:act_for", args=[pid]))
    assert b"Metformine" in client.get(reverse("coffre:proxy_record")).content

    from django.test import Client

    his = Client()
    his.force_login(henri)
    done = his.post(reverse("coffre:proxy_revoke", args=[proxy.pk]))
    assert done.status_code == 302
    assert Proxy.objects.get(pk=proxy.pk).revoked_at is not None

    after = client.get(reverse("coffre:proxy_record"))
    assert after.status_code == 302 and after["Location"] == reverse("coffre:spaces")
    spaces = client.get(reverse("coffre:spaces")).content.decode()
    assert "acting-banner" not in spaces and reverse("coffre:act_for", args=[pid]) not in spaces
    assert "Henri Marty a mis fin à votre accès le" in spaces  # said plainly, with the day
    home = client.get(reverse("home"))
    assert home.status_code == 200 and b"Metformine" not in home.content
    again = client.post(reverse("coffre:act_for", args=[pid]))
    assert again["Location"] == reverse("coffre:spaces")


def test_a_legal_proxy_is_not_ended_by_a_click(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    tutor = citizen("Tuteur", language="fr")
    client.force_login(henri)
    client.post(
        reverse("coffre:proxies"),
        {"email": tutor.email, "permissions": ["read"], "basis": "court"},
    )
    proxy = Proxy.objects.get(patient_id=pid)
    page = client.post(reverse("coffre:proxy_revoke", args=[proxy.pk]), follow=True)
    assert b"message error" in page.content
    assert Proxy.objects.get(pk=proxy.pk).revoked_at is None


def test_another_person_cannot_revoke(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    proxy = give(henri, pid, citizen("Sophie Esquirol", language="fr"))
    client.force_login(citizen("Voisin", language="fr"))
    client.post(reverse("coffre:proxy_revoke", args=[proxy.pk]))
    assert Proxy.objects.get(pk=proxy.pk).revoked_at is None
