"""What Carnet writes into imported items reads in the page's language.

A review of real imports found English sentences Carnet had written into the items: notes
such as « heart rate over the day (1 samples) », « workout recorded by Apple Watch »,
« FIT activity (device session summary) », components « Heart rate, minimum », documents
named « Apple Health export: export.zip » or « Activity file (FIT) », and a CDA result whose
note only repeated its name (« CRP »). Carnet now stores codes (a sport, a summary's
minimum, a kind of file) and says them in the reader's language; the file's own words stay
(the name the person gave a track, the device that recorded a workout); a note that only
repeats the item's name or value is dropped.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services, words

from .helpers import DATA, citizen

APPLE = DATA / "wearables" / "apple-health" / "export.xml"
FIT = DATA / "wearables" / "fit" / "tests" / "files" / "garmin-fenix-5-run.fit"
GPX = DATA / "wearables" / "gpx" / "garmin_gpxtpx.gpx"
IPS = DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"
ENGLISH_CARNET_WORDS = re.compile(
    r"samples|recorded by|FIT activity|TCX activity|GPX track|daily step count|summarised|"
    r"session summary|, minimum|, maximum|Activity session|export:",
)


def _items(user) -> list[dict]:
    return list(
        services.everything(Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF)
    )


def _import(user, path):
    return importers.import_file(
        Actor.of_user(user), accounts.patient_of(user).pk, path.read_bytes(), path.name
    )


@pytest.mark.parametrize("path", [APPLE, FIT, GPX], ids=["apple", "fit", "gpx"])
def test_no_english_sentence_is_written_into_a_watch_files_items(path):
    user = citizen()
    _import(user, path)
    items = [r for r in _items(user) if r["resourceType"] != "Patient"]
    assert items
    for res in items:
        written = " ".join(
            [n.get("text", "") for n in res.get("note") or []]
            + [str(res.get("description") or "")]
            + [str((c.get("code") or {}).get("text") or "") for c in res.get("component") or []]
            + [str((res.get("type") or {}).get("text") or "")]
        )
        assert not ENGLISH_CARNET_WORDS.search(written), (res["resourceType"], written)


def _page(client, item_id: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("records:item", args=[item_id])).content.decode()


def test_a_run_and_its_file_read_in_french_and_in_english(client):
    user = citizen()
    result = _import(user, APPLE)
    client.force_login(user)
    run = next(
        r
        for r in _items(user)
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "73985-4"
    )
    french = _page(client, run["id"], "fr")
    assert "Course à pied" in french and "Running" not in french
    assert "Apple Watch" in french  # the device, in the file's own words
    english = _page(client, run["id"], "en")
    assert "Running" in english and "Course à pied" not in english
    document = _page(client, result.document_id, "fr")
    assert "Export Apple Santé" in document and "Apple Health export" not in document
    assert "Apple Health export" in _page(client, result.document_id, "en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    listing = client.get(reverse("records:documents")).content.decode()
    assert "Export Apple Santé" in listing


def test_a_heart_rate_summary_says_minimum_and_maximum_in_the_readers_language():
    user = citizen()
    _import(user, FIT)
    hr = next(
        r
        for r in _items(user)
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "8867-4"
    )
    with translation.override("fr"):
        french = words.components(hr)
    with translation.override("en"):
        english = words.components(hr)
    assert "minimum : " in french and "nombre de mesures : " in french
    assert "number of measurements: " in english and "nombre" not in english


def test_a_cda_note_that_repeats_the_name_is_dropped():
    user = citizen()
    _import(user, IPS)
    crp = [
        r
        for r in _items(user)
        if r["resourceType"] == "Observation"
        and any(c.get("code") == "1988-5" for c in r["code"].get("coding") or [])
    ]
    assert crp
    assert all("note" not in r for r in crp)
