"""A person reads their imported DMP summary: the source's words read as written, marked
at most once per item, codes apart from names, punctuation of the page's language.

- The DMP file says it is written in French (``languageCode fr-FR``): on a French page its
  own words (« Consommation de drogue non médicales : Cannabis ») are shown as written, with
  no « texte d'origine » mark; on an English page the same line is marked once, never twice.
- A code the source wrote into a problem's name (« Thyroïdite auto-immune (CIM-10 : E06.3) »)
  is shown apart, small, on the item's page, not in the name.
- An English file's words for a code Carnet does not know are marked once per line on a
  French page.
- « name : value » in French, « name: value » in English.
"""

from __future__ import annotations

import html
import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services, words

from .helpers import DATA, citizen, import_file

IPS = DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"
MARK_FR, MARK_EN = "(texte d'origine)", "(original wording)"


def _rows(page: str) -> list[str]:
    """The visible text of each line of the timeline."""
    found = re.findall(r'<span class="tl-what">(.*?)</span>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).split()) for r in found]  # \xa0 too


def _import_ips(client):
    user = citizen()
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, IPS.read_bytes(), IPS.name, Purpose.SELF)
    client.force_login(user)
    return user, pid


def test_a_french_dmp_summary_reads_as_written_on_a_french_page(client):
    user, pid = _import_ips(client)
    page = client.get(reverse("records:timeline")).content.decode()
    rows = _rows(page) + _rows(client.get(reverse("records:timeline") + "?page=2").content.decode())
    assert "Consommation de drogue non médicales : Cannabis" in rows
    assert "Thyroïdite auto-immune" in rows
    assert not [r for r in rows if "origine" in r]
    assert not [r for r in rows if "CIM-10" in r or "CISP2" in r or "OrphaCode" in r]

    problems = services.search(Actor.of_user(user), pid, "Condition", "self").resources
    thyroid = next(r for r in problems if "E06.3" in str(r["code"]))
    item = html.unescape(client.get(reverse("records:item", args=[thyroid["id"]])).content.decode())
    assert re.search(r"<h1>Thyroïdite auto-immune</h1>", item)
    assert re.search(r'<p class="item-code[^"]*"><small>[^<]*CIM-10 E06\.3</small></p>', item)


def test_on_an_english_page_a_dmp_line_is_marked_once(client):
    _import_ips(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = _rows(client.get(reverse("records:timeline")).content.decode())
    drugs = next(r for r in rows if r.startswith("Consommation de drogue"))
    assert drugs == f"Consommation de drogue non médicales: Cannabis {MARK_EN}"
    assert all(r.count(MARK_EN) <= 1 for r in rows)


def test_an_english_file_unknown_code_is_marked_once_on_a_french_page(client, tmp_path):
    user = citizen("bob@example.org")
    unknown = {
        "coding": [{"system": "http://snomed.info/sct", "code": "999999001", "display": "X"}],
        "text": "Exposure to second-hand smoke",
    }
    value = {"coding": [{"system": "http://snomed.info/sct", "code": "999999002"}], "text": "Often"}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:7d9a1a8e-4a4c-4a5e-9d0e-0e4f5b0c1a01",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": unknown,
                    "valueCodeableConcept": value,
                    "effectiveDateTime": "2024-01-02",
                },
                "request": {"method": "POST", "url": "Observation"},
            }
        ],
    }
    path = tmp_path / "made.json"
    path.write_text(__import__("json").dumps(bundle))
    import_file(user, path)
    client.force_login(user)
    rows = _rows(client.get(reverse("records:timeline")).content.decode())
    assert rows == [f"Exposure to second-hand smoke : Often {MARK_FR}"]


def test_a_name_and_its_value_are_punctuated_in_the_page_language():
    bp = {
        "resourceType": "Observation",
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "valueQuantity": {
                    "value": 72,
                    "system": "http://unitsofmeasure.org",
                    "code": "/min",
                },
            }
        ],
    }
    with translation.override("fr"):
        assert words.components(bp).startswith("Fréquence cardiaque : 72")
    with translation.override("en"):
        assert words.components(bp).startswith("Heart rate: 72")
    with translation.override("fr"):
        assert words.split_code("Epilepsie (DRC : 114)", {"114"}) == ("Epilepsie", "DRC 114")
        assert words.split_code("Autre problème (texte libre)", {"R69"})[1] == ""
        assert words.split_code("Angiœdème (OrphaCode 658)", {"658"}) == (
            "Angiœdème",
            "OrphaCode 658",
        )
