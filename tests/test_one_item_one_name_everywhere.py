"""One item of a record has one name everywhere: the home page, the timeline, the item's
own page, the emergency view a practitioner opens and the printed summary (PDF) call it
the same (``records.words.title``), for a Synthea bundle and a French CDA document alike,
and for items the files did not name (a visit without a type is « Consultation » on every
page) or that need their context in their name (a heart rate during exercise)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from carnet.access import emergency
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services, summary_pdf, words

from .helpers import DATA, smallest_synthea
from .people import practitioner_account
from .plain_words import pdf_text, visible_text

FILES = [smallest_synthea(), DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"]
LOINC = "http://loinc.org"


def _record_of(path: Path):
    owner = accounts.create_user("owner@example.org", None, role="citizen")
    pid = accounts.patient_of(owner).pk
    me = Actor.of_user(owner)
    importers.import_file(me, pid, path.read_bytes(), path.name, Purpose.SELF)
    # What no file names: a visit without a type; a heart rate measured on a run.
    services.create(
        me,
        pid,
        {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"code": "AMB"},
            "period": {"start": "2026-01-02T09:00:00Z"},
        },
        Purpose.SELF,
    )
    services.create(
        me,
        pid,
        {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{"code": "activity"}]}],
            "code": {"coding": [{"system": LOINC, "code": "8867-4"}]},
            "valueQuantity": {
                "value": 162,
                "unit": "/min",
                "system": "http://unitsofmeasure.org",
                "code": "/min",
            },
            "effectiveDateTime": "2026-01-03T08:00:00Z",
        },
        Purpose.SELF,
    )
    return owner, pid


def _names(seen: dict, page: str, pairs) -> None:
    for item_id, name in pairs:
        seen[item_id][page] = str(name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.suffix[1:])
def test_an_item_has_the_same_name_on_every_page(client, path):
    owner, pid = _record_of(path)
    resources = {r["id"]: r for r in services.everything(Actor.of_user(owner), pid, Purpose.SELF)}
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    shown: dict[str, str] = {}  # what a person reads on each page
    client.force_login(owner)
    with translation.override("fr"):
        # The home page: current problems, allergies, treatments, what changed last.
        response = client.get(reverse("home"))
        current = response.context["current"]
        for items in (current.problems, current.allergies, current.treatments, current.recent):
            _names(seen, "home", ((i.id, i.title) for i in items))
        shown["home"] = visible_text(response.content.decode())

        # The timeline, every page of it.
        page, text = 1, []
        while page:
            response = client.get(reverse("records:timeline"), {"page": page})
            _names(
                seen, "timeline", ((row["id"], row["title"]) for row in response.context["rows"])
            )
            text.append(visible_text(response.content.decode()))
            page = response.context["next_page"]
        shown["timeline"] = " ".join(text)

        # Each item's own page.
        text = []
        for item_id in list(seen):
            response = client.get(reverse("records:item", args=[item_id]))
            assert response.status_code == 200
            _names(seen, "item", [(item_id, response.context["title"])])
            text.append(visible_text(response.content.decode()))
        shown["item"] = " ".join(text)

        # The printed summary: its lists, and the PDF a person prints.
        paper = summary_pdf.paper_summary(Actor.of_user(owner), pid)
        for items in (paper.problems, paper.allergies, paper.treatments):
            _names(seen, "pdf", ((i.id, i.title) for i in items))
        vaccines = {v.title for v in paper.vaccines}
        response = client.get(reverse("records:summary_pdf"))
        shown["pdf"] = pdf_text(response.content)

        # The emergency view a practitioner opens.
        pro = practitioner_account(
            "pro@example.org", None, rpps="20000000123", display_name="Dr Lucie Purpan"
        )
        emergency.break_glass(Actor.of_user(pro), pid, "unconscious after a fall")
        client.force_login(pro)
        response = client.get(reverse("coffre:emergency_record", args=[pid]))
        record = response.context["record"]
        assert record["others"] == []  # the emergency dataset only
        in_dataset = any(section["items"] for section in record["emergency"])
        for section in record["emergency"]:
            _names(
                seen,
                "emergency",
                ((i["id"].partition("/")[2], i["title"]) for i in section["items"]),
            )
        shown["emergency"] = visible_text(response.content.decode())

        expected = {item_id: str(words.title(resources[item_id])) for item_id in seen}

    read_on = {page for names in seen.values() for page in names} | ({"pdf"} if vaccines else set())
    assert read_on == {"home", "timeline", "item", "pdf"} | ({"emergency"} if in_dataset else set())
    for item_id, names in seen.items():
        # One name for one item on every page that shows it, and a person reads that name.
        assert set(names.values()) == {expected[item_id]}, (resources[item_id], names)
        for page in names:
            assert expected[item_id] in shown[page], (page, expected[item_id])
    # Vaccines on paper are one line per vaccine, under the vaccine's one name.
    immunizations = [r for r in resources.values() if r["resourceType"] == "Immunization"]
    with translation.override("fr"):
        assert vaccines == {str(words.title(r)) for r in immunizations}
    for name in vaccines:
        assert name in shown["pdf"]
    visit = next(
        i for i, r in resources.items() if r["resourceType"] == "Encounter" and "type" not in r
    )
    assert set(seen[visit].values()) == {"Consultation"}
    assert {"home", "timeline", "item"} <= set(seen[visit])
    assert "emergency" not in seen[visit]  # not in the emergency dataset
    run = next(
        i for i, r in resources.items() if r.get("effectiveDateTime", "").startswith("2026-01-03")
    )
    assert set(seen[run].values()) == {"Fréquence cardiaque pendant l'effort"}
    assert {"timeline", "item"} <= set(seen[run])
