"""Henri makes a one-time code for the advisor in his app (« Être aidé à un guichet »): he
chooses what the advisor may do; the code is shown once, in the answer only, valid 10
minutes, kept as an HMAC only, and never in a URL."""

from __future__ import annotations

import re

from django.urls import reverse

from carnet.helppoint import services
from carnet.helppoint.models import HelpCode

from .helppoint import henri
from .people import citizen, english


def test_the_person_gets_a_code_with_what_they_chose(client):
    english(client)
    person, pid = henri()
    client.force_login(person)
    page = client.get(reverse("helppoint:person"))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store")
    done = client.post(reverse("helppoint:person"), {"scopes": ["reminders", "import"]})
    assert done.status_code == 200
    html = done.content.decode()
    shown = re.search(r'id="help-code"><bdi>(\d{4} \d{4})</bdi>', html).group(1)
    row = HelpCode.objects.get(patient_id=pid)
    assert row.kind == "app" and row.scopes == "import,reminders"
    assert (row.expires_at - row.created_at).total_seconds() == 10 * 60
    code = shown.replace(" ", "")
    assert code not in row.digest and row.digest == services._digest(code)
    assert code not in done.get("Location", "")


def test_a_new_code_replaces_the_unused_one(client):
    english(client)
    person, pid = henri()
    client.force_login(person)
    client.post(reverse("helppoint:person"), {"scopes": ["read"]})
    client.post(reverse("helppoint:person"), {"scopes": ["reminders"]})
    assert list(HelpCode.objects.filter(patient_id=pid).values_list("scopes", flat=True)) == [
        "reminders"
    ]


def test_without_a_choice_no_code_is_made(client):
    english(client)
    person, pid = henri()
    client.force_login(person)
    refused = client.post(reverse("helppoint:person"), {})
    assert refused.status_code == 400
    assert "Choose at least one thing the advisor may do." in refused.content.decode()
    assert not HelpCode.objects.filter(patient_id=pid).exists()


def test_paper_codes_are_printed_once_and_stored_hashed(client):
    english(client)
    person, pid = henri()
    client.force_login(person)
    sheet = client.post(reverse("helppoint:paper"))
    assert sheet.status_code == 200
    codes = re.findall(r"<li><bdi>(\d{4} \d{4})</bdi></li>", sheet.content.decode())
    assert len(codes) == services.PAPER_CODES
    digests = set(
        HelpCode.objects.filter(patient_id=pid, kind="paper").values_list("digest", flat=True)
    )
    assert digests == {services._digest(c.replace(" ", "")) for c in codes}
    client.post(reverse("helppoint:paper"))  # a new sheet: the old codes stop working
    assert not digests & set(
        HelpCode.objects.filter(patient_id=pid).values_list("digest", flat=True)
    )


def test_someone_else_cannot_make_a_code_for_the_person(client):
    english(client)
    henri_user, pid = henri()
    bob = citizen("Bob")
    client.force_login(bob)
    client.post(reverse("helppoint:person"), {"scopes": ["read"]})
    assert not HelpCode.objects.filter(patient_id=pid).exists()  # Bob's code is for his own record
