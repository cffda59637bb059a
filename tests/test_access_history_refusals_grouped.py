"""Repeated refusals of one person are one line of the access history (« Refusé 12 fois
entre … et … »), not twelve; the hash chain still holds every decision (it verifies, and
the FHIR export lists each refusal)."""

import re

from django.urls import reverse

from carnet.access import audit, history
from carnet.access.models import AuditEntry
from carnet.access.services import Actor

from .access_records import can_read, record_with_items
from .people import citizen, pro


def _lines(html: str) -> list[str]:
    return re.findall(r'<li class="entry[^"]*" data-seq="\d+">.*?</li>', html, re.S)


def test_twelve_refusals_are_one_line_and_twelve_entries(client):
    owner, pid, made = record_with_items(citizen())
    curious = pro("Dr Curieux", "médecin", "Clinique du Coin")
    other = pro("Dr Autre", "médecin", "Cabinet")
    for _ in range(12):
        assert not can_read(Actor.of_user(curious), made["knee"])
    assert not can_read(Actor.of_user(other), made["knee"])  # someone else: its own line
    for _ in range(3):
        assert not can_read(Actor.of_user(curious), made["knee"])  # a new run after it

    client.force_login(owner)
    html = client.get(reverse("coffre:history")).content.decode()
    lines = _lines(html.split("</details>", 1)[1])
    assert len(lines) == 3, lines
    assert "Refusé 3 fois entre" in lines[0] and "Dr Curieux" in lines[0]
    assert "Dr Autre" in lines[1] and "fois" not in lines[1]
    assert "Refusé 12 fois entre" in lines[2] and "Dr Curieux" in lines[2]
    assert "16 entrées" in html  # the count says what the chain holds

    # Every decision is in the chain, which verifies, and in the export.
    denied = AuditEntry.objects.filter(patient_id=pid, decision="deny")
    assert denied.count() == 16
    assert audit.verify_chain(pid)[1] is None
    bundle = history.export_bundle(Actor.of_user(owner), pid, history.Filters())
    assert sum(1 for e in bundle["entry"] if e["resource"]["outcome"] != "0") >= 16


def test_a_long_run_does_not_fill_the_pages(client):
    owner, pid, made = record_with_items(citizen())
    curious = pro("Dr Curieux", "médecin", "Clinique du Coin")
    for _ in range(history.PAGE + 10):
        assert not can_read(Actor.of_user(curious), made["knee"])
    page = history.page(Actor.of_user(owner), pid, history.Filters())
    assert len(page.entries) == 1 and page.entries[0].times == history.PAGE + 10
    assert page.entries[0].first_at < page.entries[0].at
    assert not page.has_more
