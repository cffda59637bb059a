"""Reading « Mes vaccinations »: every vaccine of the record is listed, whatever its source and
coding, with the calendar step it counts for or, in plain words, why it counts for none.

Real files: the DMP vaccination history (CDA VAC, 4 vaccines coded CIS, ATC and CIP), Synthea
bundles (CVX), a C-CDA with immunizations; and vaccines typed by a person (a brand name, a
vaccine Carnet does not know). The page's count is the home page's count.
"""

from __future__ import annotations

from datetime import date

import pytest
from defusedxml import ElementTree as ET

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers
from carnet.records import services as records
from carnet.reminders import services as reminders

from .bundles import SNOMED, Bundle, person
from .helpers import DATA, citizen, import_file, synthea
from .vaccinations import home_count as _home_count
from .vaccinations import listed as _listed
from .vaccinations import page as _page

VAC = DATA / "cda" / "fr" / "VAC_2023.01.xml"
CCD = DATA / "cda" / "hl7-ccda" / "Documents" / "CCD" / "CCD 1" / "CCD.XML"
N = "{urn:hl7-org:v3}"


def _immunizations(user) -> list[dict]:
    pid = accounts.patient_of(user).pk
    return [
        r
        for r in records.everything(Actor.of_user(user), pid, Purpose.SELF)
        if r["resourceType"] == "Immunization"
    ]


def _check_every_vaccine_listed(client, user) -> list[str]:
    imms = _immunizations(user)
    assert imms
    body = _page(client, user, "/rappels/vaccinations/")
    items = _listed(body)
    assert len(items) == len(imms)
    assert f"Les vaccins du dossier ({len(imms)})" in body
    assert "Aucun vaccin enregistré" not in body
    assert _home_count(_page(client, user, "/")) == len(imms)
    for item in items:  # each says what it counts for, or why not
        assert ("Compte pour :" in item) != ("Ne compte pour aucune étape :" in item), item
    return items


def test_the_dmp_vaccination_history_is_listed_whole(client):
    user = citizen()
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, VAC.read_bytes(), VAC.name, Purpose.SELF)
    root = ET.parse(VAC).getroot()
    given = [
        sa
        for sa in root.iter(f"{N}substanceAdministration")
        if sa.find(f"{N}consumable") is not None and sa.get("moodCode") == "EVN"
    ]
    assert len(given) == 4
    items = _check_every_vaccine_listed(client, user)
    assert len(items) == 4
    text = " | ".join(items)
    # Coded in CIS with ATC and CIP translations: each is recognised by its code.
    assert "tuberculose (BCG)" in text
    assert "méningocoque A, méningocoque C" in text  # the CIS code, more precise than J07AH
    assert sum("Protège contre : tétanos" in i for i in items) == 2
    assert "Vaccin non reconnu" not in text
    # The BCG is dated "1975" in the file: the page says 1975, not a made-up 1st of January.
    [bcg] = [i for i in items if "tuberculose" in i]
    assert " 1975 " in f" {bcg} " and "janvier 1975" not in bcg


def test_a_synthea_record_lists_each_cvx_vaccine_and_why_a_td_counts_for_nothing(client):
    user = citizen()
    import_file(user, synthea("Gustavo"))
    items = _check_every_vaccine_listed(client, user)
    assert len(items) == 5
    [td] = [i for i in items if "Protège contre : diphtérie, tétanos Ne compte" in i]
    # A Td (diphtheria, tetanus) given at 33 lacks what the booster of that age needs.
    assert "Ne compte pour aucune étape" in td
    assert "diphtérie et tétanos" in td and "il lui manque coqueluche et poliomyélite" in td


@pytest.mark.parametrize("name", ["Keitha", "Abdul"])
def test_other_synthea_records_count_their_vaccines_for_calendar_steps(client, name):
    user = citizen(f"{name.lower()}@example.org")
    import_file(user, synthea(name))
    items = _check_every_vaccine_listed(client, user)
    assert any("Compte pour :" in i for i in items)


def test_a_c_cda_with_immunizations_is_listed_whole(client):
    user = citizen()
    pid = accounts.patient_of(user).pk
    importers.import_file(Actor.of_user(user), pid, CCD.read_bytes(), CCD.name, Purpose.SELF)
    _check_every_vaccine_listed(client, user)


def test_a_td_at_45_covers_two_of_the_three_diseases_of_the_dtp_booster(client):
    b = Bundle(date(1975, 6, 1), "female")
    b.vaccine(date(2020, 9, 1), "113", "http://hl7.org/fhir/sid/cvx")  # Td at 45
    b.typed_vaccine(date(2000, 6, 1), "Repevax")  # a brand typed, no code: dTcaP at 25
    b.typed_vaccine(date(2021, 3, 1), "Vaccin contre la fièvre de la vallée du Rift")
    user, pid = person("td45@example.org", b)
    ov = reminders.overview(Actor.of_user(user), pid, date(2025, 1, 1))
    rows = {v.name: v for v in ov.vaccines()}
    td = next(v for v in rows.values() if v.diseases == ["diphtérie", "tétanos"])
    assert not td.counts_for
    assert "2 of the 3 diseases" in td.why_not or "2 des 3 maladies" in td.why_not
    assert "poliomyélite" in td.why_not or "polio" in td.why_not
    repevax = rows["Repevax"]
    assert repevax.recognised == "name" and repevax.counts_for
    unknown = rows["Vaccin contre la fièvre de la vallée du Rift"]
    assert unknown.recognised == "" and not unknown.counts_for and unknown.why_not
    body = _page(client, user, "/rappels/vaccinations/")
    assert "Vaccin non reconnu" in body and "reconnu d’après son nom" in body
    assert len(_listed(body)) == 3


def test_a_snomed_coded_vaccine_is_shown_even_when_carnet_does_not_know_its_code(client):
    b = Bundle(date(1990, 1, 1), "male")
    b.vaccine(date(2024, 10, 20), "1181000221105", SNOMED)  # no display, no text
    b.typed_vaccine(
        date(2023, 10, 20),
        "",
        {"system": SNOMED, "code": "836377006", "display": "Influenza vaccine"},
    )
    user, _pid = person("snomed@example.org", b)
    items = _listed(_page(client, user, "/rappels/vaccinations/"))
    assert len(items) == 2  # newest first
    assert "Vaccin non reconnu" in items[0] and "1181000221105" in items[0]
    assert "Protège contre : grippe (reconnu d’après son nom)" in items[1]


def test_each_adult_booster_counts_for_its_own_step(client):
    b = Bundle(date(1942, 3, 1), "male")
    b.vaccine(date(1967, 4, 1), "J07CA02")  # dTcaP at 25
    b.vaccine(date(2007, 3, 15), "J07CA01")  # dTP at 65
    b.vaccine(date(2017, 3, 20), "J07CA01")  # dTP at 75
    b.vaccine(date(2024, 2, 1), "33", "http://hl7.org/fhir/sid/cvx")  # PPSV23 at 81
    user, pid = person("henri@example.org", b)
    ov = reminders.overview(Actor.of_user(user), pid, date(2026, 12, 1))
    steps = {v.day: v for v in ov.vaccines()}
    assert steps[date(1967, 4, 1)].counts_for == ["dTcaP — rappel dTcaP à 25 ans"]
    assert steps[date(2007, 3, 15)].counts_for == ["dTP — rappel dTP à 65 ans"]
    assert steps[date(2017, 3, 20)].counts_for == ["dTP — rappel dTP tous les 10 ans après 65 ans"]
    ppsv = steps[date(2024, 2, 1)]
    assert not ppsv.counts_for and "type plus ancien" in ppsv.why_not


def test_a_vaccine_the_person_entered_is_listed_at_once(client):
    user = citizen("entered@example.org")
    client.force_login(user)
    response = client.post(
        "/dossier/ajouter/vaccin/",
        {"vaccine": "J07CA01", "day": "2023-05-10", "product": "Revaxis"},
    )
    assert response.status_code == 302
    items = _listed(_page(client, user, "/rappels/vaccinations/"))
    assert len(items) == 1
    # Named as the whole record names it; the brand the person typed is said beside it.
    assert items[0].startswith("Diphtérie-poliomyélite-tétanos (Revaxis)")
    assert "diphtérie, poliomyélite, tétanos" in items[0]


def test_a_diabetic_adults_pneumococcal_and_covid_vaccines_count_for_their_steps(client):
    b = Bundle(date(1967, 5, 1), "male")
    b.condition(date(2020, 1, 10), "44054006", SNOMED)  # type 2 diabetes
    b.vaccine(date(2023, 12, 8), "J07AL02")  # conjugate pneumococcal vaccine at 56
    b.vaccine(date(2026, 10, 20), "J07BN01")  # COVID-19 this autumn
    user, pid = person("diabetic@example.org", b)
    ov = reminders.overview(Actor.of_user(user), pid, date(2026, 12, 1))
    steps = {v.day: v for v in ov.vaccines()}
    assert steps[date(2023, 12, 8)].counts_for == [
        "pneumocoque (vaccin conjugué) — une dose avec une maladie chronique"
    ]
    assert "maladie chronique" in steps[date(2026, 10, 20)].counts_for[0]
