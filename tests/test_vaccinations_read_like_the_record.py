"""Reading « Mes vaccinations » on real imported records: the page names a vaccine as the rest
of the record does, dates it as precisely as its source did, counts the flu vaccine of a
person with a chronic condition, and lists one act recorded in two documents once.

Real files: the DMP vaccination history (CDA VAC) and the IPS-FR summary of the same person
(which repeats two of its 2009 shots and holds « Diabète insulino-dépendant »), and the
Synthea bundle of Gustavo (CVX codes with English displays).
"""

from __future__ import annotations

import re
from datetime import date

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers
from carnet.records import services as records
from carnet.reminders import services as reminders

from .bundles import CVX, Bundle, person
from .helpers import DATA, citizen, import_file, synthea
from .vaccinations import home_count as _home_count
from .vaccinations import listed as _listed
from .vaccinations import page as _page

FR = DATA / "cda" / "fr"
CISP2 = "urn:oid:2.16.840.1.113883.6.139"


def _import_cda(user, *names: str) -> int:
    pid = accounts.patient_of(user).pk
    for name in names:
        f = FR / name
        importers.import_file(Actor.of_user(user), pid, f.read_bytes(), f.name, Purpose.SELF)
    return pid


def _immunizations(user, pid) -> list[dict]:
    return [
        r
        for r in records.everything(Actor.of_user(user), pid, Purpose.SELF)
        if r["resourceType"] == "Immunization"
    ]


def test_a_synthea_vaccine_has_the_name_the_timeline_gives_it(client):
    user = citizen()
    import_file(user, synthea("Gustavo"))
    items = _listed(_page(client, user, "/rappels/vaccinations/"))
    text = " | ".join(items)
    assert "Influenza, seasonal" not in text and "Td (adult)" not in text
    assert sum(i.startswith("Grippe saisonnière (vaccin injectable)") for i in items) == 4
    assert any(i.startswith("Tétanos-diphtérie (dT, adulte)") for i in items)
    timeline = _page(client, user, "/dossier/chronologie/")
    assert "Grippe saisonnière (vaccin injectable)" in timeline


def test_a_cda_vaccine_is_not_shouted_in_capitals(client):
    user = citizen()
    _import_cda(user, "VAC_2023.01.xml")
    text = " | ".join(_listed(_page(client, user, "/rappels/vaccinations/")))
    assert "VACCIN" not in text and "TETANIQUE" not in text
    assert "Vaccin tetanique" in text


def test_a_vaccine_dated_by_its_year_is_done_in_that_year_not_on_the_first_of_january(client):
    b = Bundle(date(1990, 6, 1), "female")
    b.add({
        "resourceType": "Immunization", "status": "completed", "patient": b.patient,
        "vaccineCode": {"coding": [{"system": CVX, "code": "130"}]},  # dTcaP at 25
        "occurrenceDateTime": "2015",
    })  # fmt: skip
    user, _pid = person("year@example.org", b)
    body = _page(client, user, "/rappels/vaccinations/")
    assert "1 janvier 2015" not in body
    [item] = _listed(body)
    assert " 2015 " in f" {item} " and "Compte pour" in item
    done = body.split('id="faits"', 1)[1].split("</section>", 1)[0]
    assert "Fait en 2015." in re.sub(r"<[^>]+>", " ", done)


def test_the_flu_vaccine_counts_with_the_diabetes_of_a_french_summary(client):
    """The IPS-FR holds « Diabète insulino-dépendant » coded in CISP2 (T89): the yearly flu
    vaccine is recommended; a flu shot at 40 counts for that step."""
    user = citizen()
    pid = _import_cda(user, "IPS-FR_2024.01.xml")
    ov = reminders.overview(Actor.of_user(user), pid, date(2025, 11, 2))
    assert any(r.rule.endswith("/influenza-chronic") for r in ov.reminders)

    b = Bundle(date(1979, 3, 28), "female")
    b.condition(date(2001, 1, 1), "T89", CISP2)
    b.vaccine(date(2019, 10, 20), "140", CVX)  # a flu shot at 40
    user2, _pid2 = person("flu40@example.org", b)
    [flu] = _listed(_page(client, user2, "/rappels/vaccinations/"))
    assert "Compte pour" in flu and "grippe" in flu
    assert "ne demande de vaccin contre grippe" not in flu


def test_the_flu_vaccine_counts_every_autumn_from_65(client):
    b = Bundle(date(1955, 3, 1), "male")
    b.vaccine(date(2021, 10, 20), "140", CVX)  # at 66
    user, _pid = person("flu66@example.org", b)
    [flu] = _listed(_page(client, user, "/rappels/vaccinations/"))
    assert "Compte pour" in flu and "65 ans" in flu


def test_one_act_in_two_documents_is_one_line_and_counts_once(client):
    """The 2009 dTP shots are in the vaccination history and in the summary (same day, same
    lot): each is listed once, saying where else it is, and home counts it once; the record
    keeps both items."""
    user = citizen()
    pid = _import_cda(user, "VAC_2023.01.xml", "IPS-FR_2024.01.xml")
    assert len(_immunizations(user, pid)) == 6  # nothing dropped from the record
    body = _page(client, user, "/rappels/vaccinations/")
    items = _listed(body)
    assert len(items) == 4
    assert "Les vaccins du dossier (4)" in body
    shots_2009 = [i for i in items if "28 septembre 2009" in i]
    assert len(shots_2009) == 2
    for shot in shots_2009:
        assert "Aussi dans le document du " in shot
        assert "Revaxis" in shot and "Vaccin tetanique" in shot
        assert "diphtérie, poliomyélite, tétanos" in shot
    assert _home_count(_page(client, user, "/")) == 4


def test_two_doses_on_one_day_do_not_complete_a_series_by_themselves():
    """The same act imported twice is one dose for the calendar: a two-dose series stays at
    its second dose."""
    b = Bundle(date(2010, 1, 1), "female")
    for _twice in range(2):
        b.add({
            "resourceType": "Immunization", "status": "completed", "patient": b.patient,
            "vaccineCode": {"coding": [{"system": CVX, "code": "165"}]},  # HPV at 11
            "occurrenceDateTime": "2021-03-01", "lotNumber": "AB12",
        })  # fmt: skip
    user, pid = person("hpv@example.org", b)
    ov = reminders.overview(Actor.of_user(user), pid, date(2021, 12, 1))
    hpv = [r for r in ov.reminders if "hpv" in r.rule.lower() or "papillomavirus" in r.title]
    assert hpv and not any(r.status == "done" for r in hpv)
    assert len(ov.vaccines()) == 1


def test_every_vaccine_the_display_table_names_is_one_the_calendar_recognises():
    """A vaccine has one name (records' display table) and its diseases (the reminders'
    vaccine table): every vaccine code named in the display table gives its diseases, and
    a vaccine coded without any words is named from the display table."""
    from carnet.records import words
    from carnet.reminders import rules, vaccination

    uris = {"cvx": "http://hl7.org/fhir/sid/cvx", "atc": "http://www.whocc.no/atc"}
    vaccines = [
        (s, c) for (s, c) in words.table() if s == "cvx" or (s == "atc" and c.startswith("J07"))
    ]
    assert len(vaccines) > 70
    unknown = [
        (s, c)
        for s, c in vaccines
        if not rules.antigens_of({"coding": [{"system": uris[s], "code": c}]})
    ]
    assert unknown == []
    for s, c in vaccines:
        coding = {"system": uris[s], "code": c}
        shown = words.known(uris[s], c).text()
        assert rules.code_display(coding) == shown
        bare = {"resourceType": "Immunization", "vaccineCode": {"coding": [coding]}}
        assert vaccination.name_of(bare) == shown
