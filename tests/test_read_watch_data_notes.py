"""A person reads a heart rate or a workout imported from their watch (Apple Health export).

A reviewer saw « Le commentaire de votre équipe soignante : heart rate over the day
(1 samples) » on such an item: the file's own note, presented as if a doctor had written it.
A note without an author on an imported item now says it comes from the file; a note a
health professional wrote is still « Le commentaire de votre équipe soignante ».
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers
from carnet.records.models import Source
from carnet.records.views_results import comments, from_file

from .helpers import DATA, citizen

APPLE = DATA / "wearables" / "apple-health" / "export.xml"


def test_a_watch_files_note_is_not_the_care_teams(client):
    user = citizen("watch.reader@example.org")
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, APPLE.read_bytes(), APPLE.name, Purpose.SELF)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    timeline = client.get(reverse("records:timeline")).content.decode()
    links = set(re.findall(r'href="(/dossier/element/[^/]+/)"', timeline))
    pages = [client.get(link).content.decode() for link in links]
    with_note = [p for p in pages if "result-comment" in p]
    assert with_note, "the Apple Health items carry the file's notes"
    for page in with_note:
        assert "Note du fichier d’origine" in page
        assert "Le commentaire de votre équipe soignante" not in page


def test_who_wrote_a_note_decides_its_heading():
    note = {"note": [{"text": "heart rate over the day (1 samples)"}]}
    pro, _mine = comments(note, Source.IMPORT)
    assert from_file(pro)
    signed = {
        "note": [{"text": "À recontrôler", "authorReference": {"reference": "Practitioner/1"}}]
    }
    pro, _mine = comments(signed, Source.IMPORT)
    assert pro and not from_file(pro)
    pro, _mine = comments(note, Source.PRACTITIONER)
    assert pro and not from_file(pro)
