"""My reimbursements: the CNAM-HR history, Synthea ExplanationOfBenefit and the person's own
lines, per year and month, with the yearly caps; a practitioner only within a share."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.insurance import history
from carnet.records import importers

from .helpers import DATA, smallest_synthea
from .people import citizen, english, pid_of, pro


def _import(user, path):
    importers.import_file(
        Actor.of_user(user), pid_of(user), path.read_bytes(), path.name, Purpose.SELF
    )


@pytest.fixture
def karim(client):
    user = citizen("")  # no name: the imported files name their own person
    client.force_login(user)
    english(client)
    return user


def _own(user, day, what="Consultation", kind="act", cost="30", insurer="19", boxes=0):
    return history.add_own(
        Actor.of_user(user),
        pid_of(user),
        Purpose.SELF,
        day=day,
        what=what,
        who="Dr Martin",
        kind=kind,
        cost=Decimal(cost),
        insurer=Decimal(insurer),
        complementary=Decimal("9"),
        boxes=boxes,
    )


def test_the_cnam_history_reads_per_year_and_month(karim, client):
    cnam = DATA / "cda" / "fr" / "CNAM-HR_2021.01.xml"
    _import(karim, cnam)
    page = client.get(reverse("insurance:history")).content.decode()
    # 2019: the GP consultations (NGAP "G") among the acts of the example, without amounts
    consultations = cnam.read_text(encoding="utf-8").count('<code code="G" ')
    assert consultations == 5
    assert page.count("Consultation medecine generale") == consultations
    assert "no amounts in it" in page and "T.s.h. (sang)" in page
    # the reimbursed medicines of the document (its date: 1 July 2019) are listed too
    assert "CRESTOR 5MG CPR9/10" in page and "LUDEAL CPR3/21" in page
    assert "not counted: Carnet" in page and "rules start on 22 December 2024" in page
    assert 'href="/dossier/element/' in page
    july = client.get(reverse("insurance:history_month", args=[2019, 7])).content.decode()
    assert july.count("Consultation medecine generale") == 2  # 8 and 11 July 2019
    assert "June 2019" not in july


def test_explanations_of_benefit_show_amounts_and_totals(karim, client):
    _import(karim, smallest_synthea())
    rows = history.rows(Actor.of_user(karim), pid_of(karim), Purpose.SELF)
    eobs = [r for r in rows if r.source == "eob"]
    assert eobs and all(r.currency == "USD" and r.cost is not None for r in eobs)
    year = eobs[0].day.year
    page = client.get(reverse("insurance:history_year", args=[year])).content.decode()
    shown = history.year_of(rows, year)
    total = shown.totals[0]
    assert f"{total['cost']:.2f} USD" in page and f"{total['insurer']:.2f} USD" in page
    assert "The visit it comes from" in page


def test_own_lines_count_against_the_yearly_caps(karim, client):
    # 17 consultations on 17 days of 2025: 17 × 2 € = 34 € of PF, of 50 €;
    # 3 boxes of medicine: 3 × 1 € = 3 € of franchises, of 50 €
    for n in range(17):
        _own(karim, dt.date(2025, 1, 1) + dt.timedelta(days=n * 3))
    _own(
        karim,
        dt.date(2025, 3, 1),
        what="Metformine",
        kind="medicine",
        cost="9",
        insurer="3",
        boxes=3,
    )
    page = client.get(reverse("insurance:history_year", args=[2025])).content.decode()
    assert "Participation forfaitaire: 34.00 € of 50.00 € this year." in page
    assert "Franchises: 3.00 € of 50.00 € this year." in page
    # 17 × 30 + 9 = 519.00; paid back 17 × 19 + 3 = 326.00; complementary 18 × 9 = 162.00
    assert "519.00 EUR" in page and "326.00 EUR" in page and "162.00 EUR" in page
    # left: 519 − 326 − 162 = 31.00
    assert "31.00 EUR" in page


def test_the_daily_pf_cap_applies_to_the_count(karim):
    for _ in range(3):
        _own(karim, dt.date(2025, 5, 5))
    year = history.year_of(history.rows(Actor.of_user(karim), pid_of(karim), Purpose.SELF), 2025)
    assert year.pf.paid == Decimal("4.00")  # 3 × 2 € the same day, at most 4 €


def test_adding_a_line_by_the_form(karim, client):
    response = client.post(
        reverse("insurance:add"),
        {
            "day": "2025-04-02",
            "what": "Kinésithérapie",
            "kind": "act",
            "cost": "16,13",
            "insurer": "9,68",
            "complementary": "",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Kinésithérapie" in page and "16.13 EUR" in page
    bad = client.post(
        reverse("insurance:add"),
        {"day": "2025-04-02", "what": "X", "kind": "act", "cost": "-3", "insurer": "0"},
    )
    page = client.get(bad["Location"]).content.decode()
    assert "This line could not be added" in page


def test_a_practitioner_sees_it_only_if_shared(karim, client):
    _own(karim, dt.date(2025, 2, 3), what="Endocrinologue")
    doctor = pro("Claire Martin", profession="médecin")
    client.force_login(doctor)
    url = reverse("insurance:pro_history", args=[pid_of(karim)])
    assert client.get(url).status_code == 404
    grants.share(Actor.of_user(karim), pid_of(karim), doctor.pk, categories=["measurements"])
    page = client.get(url)
    assert page.status_code == 404 or "Endocrinologue" not in page.content.decode()
    grants.share(Actor.of_user(karim), pid_of(karim), doctor.pk, categories=["administrative"])
    page = client.get(reverse("insurance:pro_history_year", args=[pid_of(karim), 2025]))
    assert page.status_code == 200 and "Endocrinologue" in page.content.decode()
    assert accounts.patient_of(karim).pk == pid_of(karim)
