"""A woman prints her emergency card after importing her Mon espace santé summary.

A reviewer saw « DOMINIQUE PAT-TROIS · né le 28 mars 1979 » and « Groupe sanguin: Non
renseigné » (English punctuation) on the French card: it says « née le » for a woman and
« Groupe sanguin : » in French, « Blood group: » in English.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers

from .helpers import DATA, citizen

IPS = DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"  # Dominique PAT-TROIS, a woman born 1979


@pytest.fixture
def card(client):
    user = citizen("card.reader@example.org")
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, IPS.read_bytes(), IPS.name, Purpose.SELF)
    client.force_login(user)

    def read(language: str) -> str:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("records:card"))
        assert response.status_code == 200
        return response.content.decode()

    return read


def test_the_card_speaks_of_her_in_french(card):
    page = card("fr")
    assert "née le 28 mars 1979" in page and "né le" not in page
    assert "Groupe sanguin\u00a0: </strong>" in page and "Groupe sanguin:" not in page


def test_the_card_in_english(card):
    page = card("en")
    assert "born 28 March 1979" in page
    assert "Blood group: </strong>" in page
