"""The access history page: who saw what, when, why, allowed or not; filters; emergencies first."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from carnet.access.models import AuditEntry

from .access_records import looked_at_record
from .people import citizen, english


def shown(response) -> str:
    """The entries of a history page (the filter form, which names everyone, left out)."""
    main = response.content.decode().split('id="main"', 1)[1]  # after the header's language list
    return main.split("</details>", 1)[1]


def test_it_says_who_what_when_why_and_whether_it_was_allowed(client):
    owner, _pid, _made, physio, stranger, er = looked_at_record()
    english(client).force_login(owner)
    html = client.get(reverse("coffre:history")).content.decode()
    assert "Julien Carmes" in html and "masseur-kinésithérapeute" in html
    assert "Cabinet de kinésithérapie du Busca" in html
    assert "looked at" in html and "results and measurements" in html
    assert "for your care" in html and "you gave them access" in html
    assert "Dr Curieux" in html and "you have not given them access" in html
    assert "Refused" in html and "Allowed" in html
    # Emergencies come first, in their own section, with the reason given.
    flagged_at = html.index("Emergency access to check")
    assert flagged_at < html.index("Every access")
    assert html.index("malaise sur la voie publique") < html.index("Every access")
    # The person's own looks and additions are hidden unless asked for; their changes to
    # who sees what are shown, in a sentence of their own.
    assert "You: " not in html
    assert "You shared your record with Julien Carmes." in html
    assert "You: " in client.get(reverse("coffre:history"), {"own": "on"}).content.decode()


def test_filters_by_who_decision_and_period(client):
    owner, pid, _made, physio, stranger, er = looked_at_record()
    english(client).force_login(owner)
    url = reverse("coffre:history")
    only_physio = shown(client.get(url, {"who": physio.pk}))
    assert "Julien Carmes" in only_physio and "Dr Curieux" not in only_physio
    refused = shown(client.get(url, {"decision": "deny"}))
    assert "Dr Curieux" in refused
    assert 'class="entry"' not in refused  # every entry shown is a refused one
    allowed = shown(client.get(url, {"decision": "permit", "who": stranger.pk}))
    assert "Nothing to show" in allowed
    # Move the stranger's attempt back a year: a period filter leaves it out.
    AuditEntry.objects.filter(patient_id=pid, actor_id=stranger.pk).update(
        at=timezone.now() - timedelta(days=365)
    )
    today = timezone.localdate()
    recent = shown(client.get(url, {"since": (today - timedelta(days=7)).isoformat()}))
    assert "Dr Curieux" not in recent and "Julien Carmes" in recent
    old = shown(
        client.get(url, {"until": (today - timedelta(days=300)).isoformat(), "since": "2000-01-01"})
    )
    assert "Dr Curieux" in old and "Julien Carmes" not in old


def test_a_bad_filter_says_what_to_fix(client):
    owner, *_rest = looked_at_record()
    english(client).force_login(owner)
    response = client.get(reverse("coffre:history"), {"since": "2025-05-01", "until": "2025-04-01"})
    assert response.status_code == 400
    assert "The end date comes before the start date." in response.content.decode()
    response = client.get(reverse("coffre:history"), {"since": "yesterday"})
    assert "Enter a date" in response.content.decode()


def test_nobody_else_reads_my_history(client):
    owner, pid, _made, physio, *_rest = looked_at_record()
    english(client).force_login(physio)
    assert client.get(reverse("coffre:history")).status_code == 404
    english(client).force_login(citizen("Intruder"))
    html = client.get(reverse("coffre:history")).content.decode()
    assert "Julien Carmes" not in html
