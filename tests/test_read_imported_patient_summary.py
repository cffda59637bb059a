"""A person imports their patient summary from Mon espace santé (IPS-FR CDA) and reads it.

What a reviewer saw on the real file, as a 60-year-old reader would: a treatment named twice
(« LEVOTHYROX 75 microgrammes… LEVOTHYROX 75 microgrammes… », the document giving the
medicine's name again as its dosage), French spacing before colons on English pages
(« Smoking status : … »), and two « Download the file it holds » links that could not be
told apart.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers

from .helpers import DATA, citizen

IPS = DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"
MEDICINE = "LEVOTHYROX 75 microgrammes, comprimé sécable"


@pytest.fixture
def reader(client):
    user = citizen("summary.reader@example.org")
    pid = accounts.patient_of(user).pk
    result = importers.import_file(
        Actor.of_user(user), pid, IPS.read_bytes(), IPS.name, Purpose.SELF
    )
    assert result.created and result.document_id
    client.force_login(user)
    return result


def _get(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_treatment_is_named_once(client, reader):
    home = _get(client, reverse("home"), "fr")
    card = re.search(r'id="h-treatments".*?</section>', home, re.S).group(0)
    assert _text(card).count(MEDICINE) == 1, _text(card)
    summary = _get(client, reverse("records:summary"), "fr")
    treatments = re.search(r'id="h-treatments".*?</ul>', summary, re.S).group(0)
    assert _text(treatments).count(MEDICINE) == 1, _text(treatments)


def test_name_and_value_are_punctuated_for_the_language(client, reader):
    french = _get(client, reverse("records:timeline"), "fr")
    english = _get(client, reverse("records:timeline"), "en")
    # A value follows its name: « Poids : 58 kg » in French (unbreakable space), no space
    # before the colon in English.
    assert "\u00a0: <strong>" in french
    rows = re.findall(r'<span class="tl-what">(.*?)</span>\s*<span class="tl-meta">', english, re.S)
    with_value = [r for r in rows if "<strong>" in r]
    assert with_value
    assert not [r for r in with_value if re.search(r"\s:\s*<strong>", r)], with_value[:3]


def test_each_attached_file_has_its_own_link_words(client, reader):
    page = _get(client, reverse("records:item", args=[reader.document_id]), "fr")
    about = re.search(r'<section class="card doc-about".*?</section>', page, re.S).group(0)
    links = [_text(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", about, re.S)]
    assert len(links) >= 3, links  # the document itself and the PDFs it carries
    assert len(set(links)) == len(links), links
    assert "Télécharger le fichier joint n°\u00a01" in about
