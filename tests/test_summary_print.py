"""Carry it: Karim prints a summary of his record (a page and a PDF) and his emergency card."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.demo import dossiers, personas
from carnet.records import imports, summary_pdf

from .people import practitioner_account

KARIM = personas.DIABETIC


@pytest.fixture
def karim(client):
    user = accounts.create_user("karim@example.org", "correct horse battery", display_name="Karim")
    patient = accounts.patient_of(user) or accounts.ensure_own_patient(user)
    imports.import_bundle(
        Actor.operator(),
        dossiers.bundle_for(KARIM.key, timezone.localdate()),
        patient_id=patient.pk,
        filename="demo",
        purpose=Purpose.OPERATIONS,
    )
    client.force_login(user)
    return user


def _paper(user):
    return summary_pdf.paper_summary(
        Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF
    )


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


def test_the_summary_lists_allergies_problems_and_treatments(client, karim):
    paper = _paper(karim)
    assert paper.problems and paper.treatments
    response = client.get(reverse("records:summary"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for item in [*paper.problems, *paper.allergies, *paper.treatments]:
        assert item.title in html, item.title
    assert "diabète" in html.lower() and "metformine" in html.lower()
    assert reverse("records:export") in html
    assert reverse("records:summary_pdf") in html and reverse("records:card") in html
    assert " style=" not in html and "<script>" not in html


def test_the_summary_pdf_holds_the_same_items(client, karim):
    paper = _paper(karim)
    response = client.get(reverse("records:summary_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "karim" not in disposition.lower()
    assert "haddad" not in disposition.lower()
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    text = " ".join(_pdf_text(response.content).split())
    for item in [*paper.problems, *paper.allergies, *paper.treatments]:
        assert " ".join(item.title.split()) in text, item.title
    assert "metformine" in text.lower()


def test_the_emergency_card_shows_the_blood_group(client, karim):
    paper = _paper(karim)
    assert paper.blood_group
    html = client.get(reverse("records:card")).content.decode()
    assert paper.blood_group in html
    assert reverse("coffre:emergency_settings") in html  # the QR card lives there
    response = client.get(reverse("records:card_pdf"))
    assert response.content.startswith(b"%PDF")
    assert "karim" not in response["Content-Disposition"].lower()
    text = _pdf_text(response.content)
    assert paper.blood_group in text
    assert any(t.title.split()[0] in text for t in paper.treatments)


def test_the_home_page_links_to_the_summary(client, karim):
    assert reverse("records:summary") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("name", ["summary", "summary_pdf", "card", "card_pdf"])
def test_someone_without_a_record_gets_not_found(client, karim, name):
    pro = practitioner_account(
        "pro@example.org", "correct horse battery", role="practitioner", rpps="10000000001"
    )
    client.force_login(pro)
    assert client.get(reverse(f"records:{name}")).status_code == 404


def test_a_stranger_reads_only_their_own_record(client, karim):
    stranger = accounts.create_user("other@example.org", "correct horse battery")
    with pytest.raises(NotFound):
        summary_pdf.paper_summary(
            Actor.of_user(stranger), accounts.patient_of(karim).pk, Purpose.SELF
        )
    client.force_login(stranger)
    html = client.get(reverse("records:summary")).content.decode()
    assert "metformine" not in html.lower() and "diabète" not in html.lower()
    client.logout()
    response = client.get(reverse("records:summary_pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
