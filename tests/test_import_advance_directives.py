"""Advance directives a document carries show on the summary and the emergency card.

A French patient summary (IPS-FR) lists seven directives (no cardiac or respiratory
resuscitation, no artificial ventilation…) and a scanned PDF of them. The summary, its PDF
and the emergency card said « Aucune directive anticipée enregistrée » / « Rien n'est
enregistré ». Each directive now becomes an advance-directive Consent that says what it is
about and whether it is authorised (words chosen in the page's language), the PDF stays in
the document, and the summary and the card point to that document. A document whose
directives are written in its text only still says they exist, with that text.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services, summary_pdf, words

from .helpers import DATA, citizen

IPS = DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"


def _import(user, data: bytes, name: str = IPS.name):
    return importers.import_file(
        Actor.of_user(user), accounts.patient_of(user).pk, data, name, Purpose.SELF
    )


def _paper(user):
    return summary_pdf.paper_summary(
        Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF
    )


def _narrative_only(data: bytes) -> bytes:
    """The IPS with its directives section's entries taken out: text only."""
    text = data.decode("utf-8")
    start = text.index("<!-- [0..1] Section FR-Directives-anticipees -->")
    end = text.index("</section>", start)
    section = text[start:end]
    first = section.index("<entry>")
    section = section[:first] + "\n"
    return (text[:start] + section + text[end:]).encode("utf-8")


def test_each_directive_is_on_the_summary_with_its_decision(client):
    user = citizen()
    result = _import(user, IPS.read_bytes())
    assert result.by_type["Consent"] == 8
    paper = _paper(user)
    lines = {(d["title"], d["decision"]) for d in paper.directives}
    assert ("Réanimation cardiaque et respiratoire", "non autorisé") in lines
    assert ("Assistance respiratoire", "non autorisé") in lines
    assert ("Dialyse rénale", "autorisé") in lines
    assert paper.directive_documents == [result.document_id]
    # The scanned directives stay in the document, after its own copies.
    document = services.read(
        Actor.of_user(user), "DocumentReference", result.document_id, Purpose.SELF
    )
    titles = [c["attachment"].get("title") for c in document["content"]]
    assert "Directives anticipées" in titles

    client.force_login(user)
    page = client.get(reverse("records:summary")).content.decode()
    assert "Aucune directive anticipée enregistrée" not in page
    assert "Réanimation cardiaque et respiratoire</strong> — non autorisé" in page
    assert reverse("records:item", args=[result.document_id]) in page
    card = client.get(reverse("records:card")).content.decode()
    assert "Rien n’est enregistré" not in card.split("Directives anticipées", 1)[1][:400]
    assert "Réanimation cardiaque et respiratoire — non autorisé" in card
    pdf = client.get(reverse("records:summary_pdf")).content
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Réanimation cardiaque" in re.sub(r"\s+", " ", words)


def test_every_page_names_a_directive_and_its_decision():
    """The timeline and the emergency view name items through ``records.words``."""
    user = citizen()
    _import(user, IPS.read_bytes())
    consents = services.search(
        Actor.of_user(user), accounts.patient_of(user).pk, "Consent", Purpose.SELF
    ).resources
    named = {(str(words.title(c)), words.value(c)) for c in consents}
    assert ("Réanimation cardiaque et respiratoire", "non autorisé") in named
    assert ("Directives anticipées", "") in named  # the scanned PDF's entry


def test_the_decision_reads_in_english_on_an_english_page(client):
    user = citizen()
    _import(user, IPS.read_bytes())
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("records:summary")).content.decode()
    assert "Réanimation cardiaque et respiratoire</strong> — not authorised" in page


def test_directives_in_the_text_only_point_to_the_document(client):
    user = citizen()
    result = _import(user, _narrative_only(IPS.read_bytes()), "ips-texte.xml")
    assert result.by_type["Consent"] == 1
    (directive,) = _paper(user).directives
    assert "Réanimation cardiaque et respiratoire" in directive["text"]
    assert directive["document_id"] == result.document_id
    client.force_login(user)
    page = client.get(reverse("records:summary")).content.decode()
    assert reverse("records:item", args=[result.document_id]) in page
    card = client.get(reverse("records:card")).content.decode()
    assert "Écrites en entier dans un document gardé dans Carnet" in card
