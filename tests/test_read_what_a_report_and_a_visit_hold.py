"""A person opens a lab report or a visit and reads what it holds.

A Synthea « Bilan lipidique » (DiagnosticReport) lists its results (the observations it
references), each with its value and unit in plain words and a link to its own page; a
visit (« Bilan de santé », an Encounter) lists what the record holds from it, grouped by
kind: results, measurements, lifestyle, vaccines… All read through ``access``.
"""

from __future__ import annotations

import html
import re

from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.records import services, words

from .helpers import citizen, import_file, synthea

LIPID_PANEL = "57698-3"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _section(page: str, heading: str) -> str:
    found = re.search(rf'aria-labelledby="{heading}">(.*?)</section>', page, re.S)
    assert found, heading
    return found[1]


def _gustavo(client):
    user = citizen()
    import_file(user, synthea("Gustavo"))
    client.force_login(user)
    return Actor.of_user(user), accounts.patient_of(user).pk


def test_a_lab_report_lists_its_results_with_values_and_links(client):
    actor, pid = _gustavo(client)
    reports = services.search(actor, pid, "DiagnosticReport", "self", code=[LIPID_PANEL]).resources
    report = reports[0]
    results = services.linked(actor, pid, "self", refs=[r["reference"] for r in report["result"]])
    assert len(results) == len(report["result"]) == 4
    page = client.get(reverse("records:item", args=[report["id"]])).content.decode()
    block = _section(page, "h-report")
    text = _text(block)
    for r in results:
        assert f'href="{reverse("records:item", args=[r["id"]])}"' in block
        assert f"{words.title(r)} : {words.value(r)}" in text  # « Triglycérides : 127,35 mg/dL »
    assert "mg/dL" in text and "Bilan lipidique" in _text(page)


def test_a_visit_lists_what_the_record_holds_from_it_by_kind(client):
    actor, pid = _gustavo(client)
    report = services.search(actor, pid, "DiagnosticReport", "self", code=[LIPID_PANEL]).resources[
        0
    ]
    visit_id = report["encounter"]["reference"].rpartition("/")[2]
    held = services.linked(actor, pid, "self", encounter=f"Encounter/{visit_id}")
    kinds = {r["resourceType"] for r in held}
    assert {"Observation", "DiagnosticReport", "Immunization"} <= kinds
    before = AuditEntry.objects.count()
    page = client.get(reverse("records:item", args=[visit_id])).content.decode()
    assert AuditEntry.objects.count() > before  # what the visit holds is read through access
    block = _section(page, "h-visit")
    headings = re.findall(r"<h3>(.*?)</h3>", block)
    assert headings[:1] == ["Comptes rendus d’examens"]
    assert {"Résultats d’analyses", "Mesures", "Mode de vie", "Vaccins"} <= set(headings)
    for r in held:
        if r["resourceType"] in ("Claim", "ExplanationOfBenefit"):
            assert reverse("records:item", args=[r["id"]]) not in block
        else:
            assert reverse("records:item", args=[r["id"]]) in block
    assert "Tabac : Ancien fumeur" in _text(block)
