"""The emergency card's QR code opens the emergency information for a signed-in practitioner only."""

import base64
import re

from django.urls import reverse

from carnet.access.models import AuditEntry, EmergencyAccess

from .emergency import emergency_doctor, make_card, readable_record
from .people import citizen


def test_the_card_shows_a_qr_code_of_its_address(client):
    owner, _pid, _made = readable_record()
    html, url = make_card(client, owner)
    assert "/urgence/carte/carnet-card_" in url and owner.display_name in html
    svg = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(svg).lstrip().startswith((b"<?xml", b"<svg"))
    assert "<script>" not in html and "http" not in svg  # drawn here, no outside service


def test_a_practitioner_opens_it_with_a_reason(client, django_capture_on_commit_callbacks):
    owner, pid, _made = readable_record()
    _html, url = make_card(client, owner)
    path = url[url.index("/urgence/") :]
    client.force_login(emergency_doctor())
    form = client.get(path)
    assert form.status_code == 200 and "Haddad" not in form.content.decode()
    refused = client.post(path, {"reason": ""})
    assert refused.status_code == 400 and not EmergencyAccess.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        opened = client.post(path, {"reason": "Trouvé inconscient dans la rue"})
    assert opened["Location"] == reverse("coffre:emergency_record", args=[pid])
    assert "Allergie à la pénicilline" in client.get(opened["Location"]).content.decode()
    entry = AuditEntry.objects.get(patient_id=pid, action="break_glass", decision="permit")
    assert entry.flagged and EmergencyAccess.objects.get(patient_id=pid).via == "card"


def test_signed_out_it_only_says_whom_to_call(client):
    owner, pid, _made = readable_record()
    _html, url = make_card(client, owner)
    path = url[url.index("/urgence/") :]
    client.logout()
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200 and "112" in html and "Haddad" not in html
    assert reverse("account_login") in html
    client.post(path, {"reason": "curieux"})
    assert not EmergencyAccess.objects.exists()
    assert not AuditEntry.objects.filter(patient_id=pid, action="break_glass").exists()


def test_a_citizen_cannot_open_it(client):
    owner, _pid, _made = readable_record()
    _html, url = make_card(client, owner)
    path = url[url.index("/urgence/") :]
    client.force_login(citizen("Passant", language="fr"))
    assert client.post(path, {"reason": "je l'ai trouvé"}).status_code == 403
    assert not EmergencyAccess.objects.exists()
