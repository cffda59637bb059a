"""Words a person reads: the display table names the codes Carnet explains, in each of the six
languages of the pages (French, English, Spanish, Arabic, Portuguese, Turkish); a code it does not know keeps the source's words, marked « texte d'origine »; units
are plain words; French CDA labels in capitals read in sentence case."""

from __future__ import annotations

from html import unescape

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, words
from tests import plain_words
from tests.helpers import DATA, SYNTHEA, citizen, import_file, synthea

LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"


def concept(system, code, display):
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def test_the_table_is_data_with_its_sources():
    table = words.table()
    assert len(table) >= 500
    for (system, code), d in table.items():
        assert system in words.SYSTEMS and code == code.strip()
        assert d.fr and d.en and d.source, (system, code)
        assert d.fr == d.fr.strip() and "\t" not in d.fr
        # Every other language has its own words: none falls back to French.
        more = dict(d.more)
        assert all(more.get(la) for la in words.UNIT_LANGS), (system, code, more)
        assert any("\u0600" <= c <= "\u06ff" for c in more["ar"]), (system, code)
    units = words.unit_table()
    assert ("/min", "8867-4") in units and ("{score}", "") in units


@pytest.mark.parametrize(
    ("system", "code", "source", "fr", "en"),
    [
        (LOINC, "29463-7", "Body Weight", "Poids", "Weight"),
        (LOINC, "57698-3", "Lipid Panel", "Bilan lipidique", "Cholesterol and lipids panel"),
        (SNOMED, "185349003", "Encounter for check up (procedure)", "Bilan de santé", "Check-up"),
        ("http://hl7.org/fhir/sid/cvx", "140", "Influenza, seasonal", "Grippe", "flu"),
        ("urn:oid:2.16.840.1.113883.6.73", "J07CA01", "DTP", "Diphtérie", "polio"),
    ],
)
def test_a_known_code_is_named_in_the_readers_language(system, code, source, fr, en):
    c = concept(system, code, source)
    with translation.override("fr"):
        assert fr in words.label(c) and not words.label(c).original
    with translation.override("en"):
        assert en in words.label(c) and source not in words.label(c)


@pytest.mark.parametrize(
    ("system", "code", "shown"),
    [
        (
            LOINC,
            "55284-4",
            {"es": "Tensión arterial", "ar": "ضغط الدم", "pt": "Tensão arterial", "tr": "Tansiyon"},
        ),
        (
            "http://hl7.org/fhir/sid/cvx",
            "140",
            {"es": "Gripe estacional", "ar": "الإنفلونزا", "pt": "Gripe sazonal", "tr": "grip"},
        ),
        (
            "http://www.nlm.nih.gov/research/umls/rxnorm",
            "310965",
            {"es": "Ibuprofeno", "ar": "إيبوبروفين", "pt": "Ibuprofeno", "tr": "İbuprofen"},
        ),
    ],
)
def test_a_known_code_is_named_in_every_language_of_the_pages(system, code, shown):
    c = concept(system, code, "Source words")
    for language, words_shown in shown.items():
        with translation.override(language):
            found = words.label(c)
            assert words_shown in found and not found.original, (language, str(found))
            assert str(found) != words.known(system, code).fr


def test_an_imported_record_reads_in_spanish_and_arabic(client):
    """A Synthea record: the timeline names its measurements and its flu vaccines in the
    page's language, not in French."""
    user = citizen()
    import_file(user, synthea("Gustavo"))
    client.force_login(user)
    timeline = reverse("records:timeline")
    for language, pressure, pain, flu in (
        (
            "es",
            "Tensión arterial",
            "Intensidad del dolor (0 a 10)",
            "Gripe estacional (inyectable)",
        ),
        ("ar", "ضغط الدم", "شدة الألم (من 0 إلى 10)", "الإنفلونزا الموسمية (حقنة)"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        home = client.get(reverse("home")).content.decode()
        measurements = unescape(client.get(f"{timeline}?type=measurements").content.decode())
        vaccines = unescape(client.get(f"{timeline}?type=vaccines").content.decode())
        assert f'<html lang="{language}"' in home
        assert pressure in measurements and pain in measurements, language
        assert "Tension artérielle" not in measurements and "douleur" not in measurements
        assert flu in vaccines and "Grippe saisonnière" not in vaccines, language


def test_an_unknown_code_keeps_the_sources_words_marked():
    c = concept(SNOMED, "1234567", "Something rare (disorder)")
    with translation.override("fr"):
        found = words.label(c)
        assert found == "Something rare" and found.original
        html = Template("{% load words %}{{ x|label }}").render(Context({"x": found}))
        assert "Something rare" in html and "(texte d'origine)" in unescape(html)
        # Words a person typed, with no code, are theirs: not marked.
        assert not words.label({"text": "Mal de dos"}).original
        html = Template("{% load words %}{{ x|label }}").render(Context({"x": "Mal de dos"}))
        assert "origine" not in html
    with translation.override("en"):
        html = Template("{% load words %}{{ x|label }}").render(Context({"x": found}))
        assert "(original wording)" in html


@pytest.mark.parametrize(
    ("unit", "value", "context", "fr", "en"),
    [
        ("{score}", 1, None, "1 point", "1 point"),
        ("{score}", 3, None, "3 points", "3 points"),
        ("/min", 72, "8867-4", "72 battements par minute", "72 beats per minute"),
        ("/min", 16, "9279-1", "16 respirations par minute", "16 breaths per minute"),
        ("kg/m2", 27.41, None, "27,41 kg/m²", "27.41 kg/m²"),
        ("[lb_av]", 150, None, "150 livres", "150 lb"),
        ("mm[Hg]", 118.34, None, "118,34 mmHg", "118.34 mmHg"),
        ("10*3/uL", 6.2, None, "6,2 G/L", "6.2 ×10³/µL"),
        ("mL/min/{1.73_m2}", 88, None, "88 mL/min/1,73 m²", "88 mL/min/1.73 m²"),
        ("Cel", 37.5, None, "37,5 °C", "37.5 °C"),
        ("furlongs", 2, None, "2 furlongs", "2 furlongs"),
    ],
)
def test_units_in_plain_words(unit, value, context, fr, en):
    q = {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}
    with translation.override("fr"):
        assert words.quantity(q, context) == fr
    with translation.override("en"):
        assert words.quantity(q, context) == en


def test_numbers_for_people_and_for_machines():
    with translation.override("fr"):
        assert words.number(118.34129) == "118,34" and words.number(80.0) == "80"
        assert words.coordinate(51.63) == "51.6"
    with translation.override("en"):
        assert words.number(118.34129) == "118.34"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("CONSULTATION MEDECINE GENERALE", "Consultation medecine generale"),
        ("SANG : GLUCOSE (GLYCEMIE)", "Sang : glucose (glycemie)"),
        ("T.S.H. (SANG)", "T.S.H. (sang)"),
        ("DOSAGE DE LA TSH", "Dosage de la TSH"),
        ("LÉVOTHYROXINE SODIQUE", "Lévothyroxine sodique"),
        ("HDL", "HDL"),
        ("Vaccin contre la grippe", "Vaccin contre la grippe"),
    ],
)
def test_labels_in_capitals_read_in_sentence_case(given, shown):
    assert words.sentence_case(given) == shown


def _capital_labels(xml: bytes) -> set[str]:
    out = set()
    for el in ElementTree.fromstring(xml).iter():
        for value in (el.get("displayName"), el.text if el.tag.endswith("originalText") else None):
            if value and len(value) > 8 and value == value.upper() and " " in value.strip():
                if sum(c.isalpha() for c in value) > 6:
                    out.add(value.strip())
    return out


def test_a_french_cda_reads_in_sentence_case(client):
    user = citizen()
    pid = accounts.patient_of(user).pk
    capitals = set()
    for name in ("BIO-CR-BIO_2024.01_Glycemie-mole.xml", "VAC_2023.01.xml", "IPS-FR_2024.01.xml"):
        path = DATA / "cda" / "fr" / name
        importers.import_file(Actor.of_user(user), pid, path.read_bytes(), name, Purpose.SELF)
        capitals |= _capital_labels(path.read_bytes())
    assert capitals
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    read = plain_words.read_record(client, "fr", every_item=True)
    shown = " ".join(
        plain_words.visible_text(plain_words.carnet_words(p)) for p in read["pages"].values()
    )
    found = sorted(c for c in capitals if c in shown)
    assert not found, found
    assert not plain_words.raw_units(shown)


def test_the_table_names_most_synthea_items():
    """The shipped Synthea bundles: the table names most of their items in French."""
    named = total = 0
    left_out = {"Claim", "ExplanationOfBenefit", "Patient", "Organization", "Practitioner"}
    with translation.override("fr"):
        for path in SYNTHEA:
            for r in plain_words.resources_of(path):
                if r["resourceType"] not in left_out:
                    total += 1
                    named += words.title(r).named
    assert total > 1000 and named / total >= 0.95, (named, total)


@hsettings(derandomize=True, max_examples=200, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_a_number_reads_back_in_each_language(value):
    with translation.override("fr"):
        fr = words.number(value)
    with translation.override("en"):
        en = words.number(value)
    assert "." not in fr and "," not in en
    assert float(fr.replace(",", ".")) == float(en) == pytest.approx(round(value, 2), abs=1e-9)
    assert float(words.coordinate(value)) == pytest.approx(round(value, 1), abs=0.051)
