"""Read an imported watch or app file: its kind (« Fichier d'activité (FIT) », « Trace GPS
(GPX) », « Export Apple Santé ») is said in the page's language on the documents list, the
timeline and the item page; the file keeps its own name. Records imported before, whose
kind was written in English only, read in French too."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import document_files, importers, services, words
from tests import plain_words
from tests.helpers import DATA, citizen

WEARABLES = DATA / "wearables"
FILES = [
    (
        WEARABLES / "fit" / "tests" / "files" / "sample-activity.fit",
        "Fichier d'activité (FIT)",
        "Activity file (FIT)",
    ),
    (WEARABLES / "gpx" / "garmin_gpxtpx.gpx", "Trace GPS (GPX)", "GPS track (GPX)"),
    (WEARABLES / "apple-health" / "export.xml", "Export Apple Santé", "Apple Health export"),
]


def _import(user, path):
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, path.read_bytes(), path.name, Purpose.SELF)
    [doc] = [
        r
        for r in services.everything(Actor.of_user(user), pid, Purpose.SELF)
        if r["resourceType"] == "DocumentReference"
    ]
    return doc


def _text(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return plain_words.visible_text(response.content.decode())


@pytest.mark.parametrize(("path", "fr", "en"), FILES, ids=lambda x: getattr(x, "name", None))
def test_the_file_kind_reads_in_the_pages_language(client, path, fr, en):
    user = citizen()
    doc = _import(user, path)
    client.force_login(user)
    for url in (reverse("records:documents"), reverse("records:item", args=[doc["id"]])):
        french = _text(client, url, "fr")
        assert fr in french and en not in french, url
        assert "texte d'origine" not in french
        english = _text(client, url, "en")
        assert en in english and fr not in english, url
    timeline = _text(client, reverse("records:timeline"), "fr")
    assert fr in timeline and en not in timeline
    # The file keeps its own name, and machines read the kind by its code.
    assert path.name in _text(client, reverse("records:documents"), "fr")
    assert doc["type"]["coding"][0]["code"]


def test_a_file_imported_before_reads_in_french_too():
    old = {
        "resourceType": "DocumentReference",
        "type": {"text": "Activity file (FIT)"},
        "description": "Activity file (FIT): run.fit",
        "content": [{"attachment": {"contentType": "application/vnd.ant.fit", "title": "run.fit"}}],
    }
    from django.utils import translation

    with translation.override("fr"):
        described = document_files.describe(old)
        assert described.type_label == "Fichier d'activité (FIT)"
        assert "Activity" not in described.title and "run.fit" in described.title
        assert words.title(old) == "Fichier d'activité (FIT)"
