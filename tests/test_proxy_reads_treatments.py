"""The daughter switches to acting for her father and reads his treatments."""

from django.urls import reverse

from carnet.access import audit
from carnet.access.models import AuditEntry

from .emergency import readable_record
from .people import citizen, give


def test_the_daughter_acts_for_her_father_with_a_banner_everywhere(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    sophie = citizen("Sophie Esquirol", language="fr")
    give(henri, pid, sophie, ["read", "appointments"])
    client.force_login(sophie)
    spaces = client.get(reverse("coffre:spaces")).content.decode()
    assert "Henri Marty" in spaces and reverse("coffre:act_for", args=[pid]) in spaces
    switched = client.post(reverse("coffre:act_for", args=[pid]))
    assert switched["Location"] == reverse("coffre:proxy_record")
    # The home page ("My record") now opens his record, with the banner.
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("coffre:proxy_record")
    page = client.get(reverse("coffre:proxy_record")).content.decode()
    assert 'class="acting-banner"' in page and "Henri Marty" in page
    assert "Metformine 1000 mg" in page and "1 comprimé matin et soir" in page
    assert reverse("coffre:act_stop") in page
    # Recorded in his history as the daughter acting for him.
    entry = AuditEntry.objects.filter(patient_id=pid, actor_id=sophie.pk, action="read").last()
    assert entry.purpose == "proxy" and entry.decision == "permit"
    newest = next(e for e in audit.history(pid) if e["actor_id"] == sophie.pk)
    assert newest["details"]["acting_for"] == "Henri Marty"
    # The banner stays on other pages, and "back to my space" ends it.
    assert b"acting-banner" in client.get(reverse("coffre:spaces")).content
    client.post(reverse("coffre:act_stop"))
    assert client.get(reverse("home")).status_code == 200
    assert b"acting-banner" not in client.get(reverse("coffre:spaces")).content


def test_a_relative_without_reading_rights_reads_nothing(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    sophie = citizen("Sophie Esquirol", language="fr")
    give(henri, pid, sophie, ["appointments"])
    client.force_login(sophie)
    client.post(reverse("coffre:act_for", args=[pid]))
    page = client.get(reverse("coffre:proxy_record")).content.decode()
    assert "Metformine" not in page and "acting-banner" in page


def test_nobody_acts_for_a_stranger(client):
    _henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    client.force_login(citizen("Inconnu", language="fr"))
    client.post(reverse("coffre:act_for", args=[pid]))
    page = client.get(reverse("coffre:proxy_record"))
    assert page.status_code == 302 and page["Location"] == reverse("coffre:spaces")
    assert not AuditEntry.objects.filter(patient_id=pid, purpose="proxy").exists()
