"""The simulator page: prefilled from the record, POSTed (no health data in the URL), results
line by line in plain words, a bad answer pointed at."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access.services import Actor, Purpose
from carnet.insurance import history
from carnet.records import services as records

from .people import citizen, english, pid_of

URL = reverse("insurance:simulator")


@pytest.fixture
def karim(client):
    user = citizen("Karim Benali")
    patient = {
        "resourceType": "Patient",
        "birthDate": "1973-09-02",
        "generalPractitioner": [{"display": "Dr Claire Martin"}],
    }
    records.create(Actor.of_user(user), pid_of(user), patient, Purpose.SELF)
    client.force_login(user)
    client.user = user
    return english(client)


def _form(**changes):
    data = {
        "date": "2025-03-03",
        "birth_date": "1973-09-02",
        "medecin_traitant": "on",
        "ald": "on",
        "complementary_percent": "150",
        "pf_paid_this_year": "0",
        "franchises_paid_this_year": "0",
        "care-0-kind": "consultation",
        "care-0-specialty": "endocrinology",
        "care-0-sector": "optam",
        "care-0-fee": "60",
        "care-0-base": "30",
        "care-0-quantity": "1",
        "care-0-ald_related": "on",
        "care-1-kind": "",
        "care-2-kind": "",
    }
    return data | changes


def test_it_is_prefilled_from_the_record(karim):
    page = karim.get(URL).content.decode()
    assert 'name="birth_date" value="1973-09-02"' in page
    assert 'id="medecin_traitant" name="medecin_traitant" checked' in page
    assert 'value="None"' not in page
    assert '<form method="post"' in page


def test_the_pf_already_paid_this_year_comes_from_the_history(karim):
    client, user = karim, karim.user
    year = timezone.localdate().year
    for day in (2, 3, 4):  # 3 consultations on 3 days of this year: 3 × 2 € of PF
        history.add_own(
            Actor.of_user(user),
            pid_of(user),
            Purpose.SELF,
            day=dt.date(year, 1, day),
            what="Consultation",
            who="",
            kind="act",
            cost=Decimal("30"),
            insurer=Decimal("19"),
            complementary=None,
        )
    page = client.get(URL).content.decode()
    assert 'name="pf_paid_this_year" value="6.00"' in page
    assert 'name="franchises_paid_this_year" value="0.00"' in page


def test_it_shows_each_amount_and_the_rules(karim):
    response = karim.post(URL, _form())
    page = response.content.decode()
    # 30.00 × 100 % (ALD) − 2.00 = 28.00; complementary 45.00 − 30.00 = 15.00; left 17.00
    assert "28.00&nbsp;€" in page and "15.00&nbsp;€" in page and "17.00&nbsp;€" in page
    assert "This care is for your long-term illness (ALD)" in page
    assert "Rule in force since" in page and "ameli.fr" in page
    assert response.request["QUERY_STRING"] == ""


def test_a_bad_answer_is_pointed_at_and_nothing_is_computed(karim):
    response = karim.post(URL, _form(**{"care-0-fee": "-5"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and 'href="#care-0-fee"' in page
    assert "cannot be negative" in page and "« Price asked (€)" in page
    assert 'id="care-0-fee" name="care-0-fee" value="-5" aria-invalid="true"' in page
    assert "Left for you" not in page


def test_a_second_line_and_a_medicine_by_code(karim):
    form = _form(
        **{"care-1-kind": "medicine", "care-1-cip13": "3400930065556", "care-1-quantity": "2"}
    )
    page = karim.post(URL, form).content.decode()
    # Levothyrox 2 × 1.75 = 3.50 × 65 % = 2.28 − 2 × 1.00 = 0.28; complementary 1.22; left 2.00
    assert "LEVOTHYROX 25 microgrammes" in page
    assert "0.28&nbsp;€" in page and "In all" in page and "19.00&nbsp;€" in page


def test_it_needs_signing_in(client):
    assert client.get(URL).status_code == 302


def test_it_speaks_french(karim):
    karim.cookies["django_language"] = "fr"
    page = karim.post(URL, _form()).content.decode()
    assert "Reste à votre charge" in page and "17,00&nbsp;€" in page
    assert "elle paie 100\u00a0% de la base" in page
    assert "Ma complémentaire santé couvre (en\u00a0% de la base" in page
