"""Printing one's summary in Arabic: the PDF is written right to left, the record's own
words (French medicine names) kept as they are, the dates in Arabic."""

import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.demo import dossiers, personas
from carnet.records import imports


def test_the_summary_and_the_card_print_in_arabic(client):
    user = accounts.create_user("karim@example.org", "correct horse battery")
    user.language = "ar"
    user.save()
    patient = accounts.ensure_own_patient(user)
    imports.import_bundle(
        Actor.operator(),
        dossiers.bundle_for(personas.DIABETIC.key, timezone.localdate()),
        patient_id=patient.pk,
        filename="demo",
        purpose=Purpose.OPERATIONS,
    )
    client.force_login(user)
    client.cookies["django_language"] = "ar"
    html = client.get(reverse("records:summary")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    for name in ("records:summary_pdf", "records:card_pdf"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), name
        text = "\n".join(
            p.extract_text() or "" for p in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "metformine" in text.lower(), name
        # Arabic letters (shaped: presentation forms, or the base letters).
        assert any("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in text), name
