"""A practitioner with no grant states a reason and opens the emergency information.

Also holds the helpers of the other ``test_emergency_*`` and ``test_proxy_*`` files: a
person with a small readable record, practitioners and relatives, all made through the
real services.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from carnet.access import signals
from carnet.access.models import AuditEntry, EmergencyAccess

from .emergency import emergency_doctor, readable_record


@pytest.fixture
def events():
    got = []

    def receiver(sender, **kw):
        got.append(kw)

    signals.access_event.connect(receiver)
    yield got
    signals.access_event.disconnect(receiver)


def test_it_opens_the_emergency_information_with_a_reason(
    client, django_capture_on_commit_callbacks, events
):
    owner, pid, made = readable_record()
    doc = emergency_doctor()
    client.force_login(doc)
    page = client.get(reverse("coffre:emergency"))
    assert page.status_code == 200 and b'name="reason"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("coffre:emergency"),
            {"email": owner.email, "reason": "Inconscient, amené par les pompiers"},
        )
    assert done.status_code == 302
    assert done["Location"] == reverse("coffre:emergency_record", args=[pid])
    # The person is told at once (urgently) and the access is flagged for review.
    assert [(e["event"], e["urgent"]) for e in events] == [("emergency", True)]
    assert AuditEntry.objects.filter(
        patient_id=pid, action="break_glass", decision="permit", flagged=True
    ).exists()

    shown = client.get(done["Location"])
    html = shown.content.decode()
    assert shown.status_code == 200
    for words in (
        "Karim Haddad",
        "Allergie à la pénicilline",
        "Diabète de type 2",
        "Metformine 1000 mg",
        "1 comprimé matin et soir",
        "B positif",
        "Samia Haddad",
        "06 11 22 33 44",
    ):
        assert words in html, words
    assert "Cicatrice du genou" not in html  # hidden from emergencies by the person
    # The emergency dataset only: not the other items, not even a count of their kinds.
    assert "Hémoglobine glyquée" not in html
    assert "Résultats et mesures" not in html and 'class="others-title"' not in html
    assert 'class="emergency-banner"' in html and 'data-part="h">3<' in html
    assert 'data-expires="' in html
    assert AuditEntry.objects.filter(
        patient_id=pid, action="read", purpose="emergency", flagged=True
    ).exists()


def test_it_can_be_closed_before_the_end(client):
    owner, pid, _made = readable_record()
    client.force_login(emergency_doctor())
    client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "AVC"})
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 200
    closed = client.post(reverse("coffre:emergency_end", args=[pid]))
    assert closed.status_code == 302
    assert not EmergencyAccess.objects.filter(patient_id=pid, ended_at__isnull=True).exists()
    assert client.get(reverse("coffre:emergency_record", args=[pid])).status_code == 404


def test_an_unknown_address_opens_nothing_and_says_what_to_do(client):
    client.force_login(emergency_doctor())
    page = client.post(
        reverse("coffre:emergency"), {"email": "nobody@example.org", "reason": "chute"}
    )
    assert page.status_code == 400 and b'role="alert"' in page.content
    assert not EmergencyAccess.objects.exists()
