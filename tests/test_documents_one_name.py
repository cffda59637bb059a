"""A document has one name everywhere: the list of documents, its page, the timeline.

An imported DMP document is named by its own title, as its author wrote it (« Historique de
vaccinations »), a title in capitals put in sentence case with the accents of its own type
(« SYNTHESE MEDICALE » reads « Synthèse médicale »), never by the generic name of its code
on one page and its title on another.
"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers

from . import helpers
from .helpers import DATA

FR = DATA / "cda" / "fr"


@pytest.fixture
def person(client):
    user = helpers.citizen("lea@example.org")
    accounts.patient_of(user) or accounts.ensure_own_patient(user)
    client.force_login(user)
    return user


def _import(user, name: str) -> str:
    path = FR / name
    pid = accounts.patient_of(user).pk
    result = importers.import_file(
        Actor.of_user(user), pid, path.read_bytes(), name, Purpose.SELF, person="mine"
    )
    return result.document_id


def _h1(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", page, re.S)[1]))


def _listed(page: str) -> dict[str, str]:
    """{document id: name} of the documents list."""
    found = re.findall(r'<p class="doc-title"><a href="/dossier/element/([^/]+)/">(.*?)</a>', page)
    return {i: html.unescape(t) for i, t in found}


@pytest.mark.parametrize(
    "name, title",
    [
        ("VAC_2023.01.xml", "Historique de vaccinations"),
        ("IPS-FR_2024.01.xml", "Synthèse médicale"),
    ],
)
def test_a_document_has_the_same_name_on_the_list_its_page_and_the_timeline(
    client, person, name, title
):
    doc_id = _import(person, name)
    listed = _listed(client.get(reverse("records:documents")).content.decode())
    page = client.get(reverse("records:item", args=[doc_id])).content.decode()
    timeline = html.unescape(client.get(reverse("records:timeline")).content.decode())
    assert listed[doc_id] == title
    assert _h1(page) == title
    assert title in timeline
    assert "SYNTHESE MEDICALE" not in listed[doc_id] + page + timeline
