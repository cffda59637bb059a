"""Add a vaccination from the French value set: coded in ATC, copied from the booklet."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import data
from carnet.records import services as records


@pytest.fixture
def alice(client):
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client.force_login(user)
    return user


@pytest.mark.no_db
def test_the_list_holds_the_french_value_set():
    codes = {c.code for c in data.vaccines()}
    # JDV_VaccinCSE24_CISIS, and the calendar's flu, HPV and shingles vaccines.
    assert {"J07CA01", "J07BD52", "J07AH09", "J07BB", "J07BM", "J07BK03"} <= codes
    assert all(c.system == "http://www.whocc.no/atc" for c in data.vaccines())


def test_it_adds_a_vaccination(client, alice):
    html = client.get(reverse("records:entry_add", args=["vaccin"])).content.decode()
    assert 'value="J07CA01"' in html
    response = client.post(
        reverse("records:entry_add", args=["vaccin"]),
        {
            "vaccine": "J07CA01",
            "day": "2023-05-10",
            "product": "Revaxis",
            "lot": "X123",
            "dose": "4",
        },
    )
    assert response.status_code == 302
    patient = accounts.patient_of(alice)
    [imm] = records.search(Actor.of_user(alice), patient.pk, "Immunization", Purpose.SELF).resources
    assert imm["vaccineCode"]["coding"][0] == {
        "system": "http://www.whocc.no/atc",
        "code": "J07CA01",
        "display": "diphtérie-poliomyélite-tétanos",
    }
    assert imm["vaccineCode"]["text"] == "Revaxis"
    assert imm["occurrenceDateTime"] == "2023-05-10" and imm["lotNumber"] == "X123"
    assert imm["primarySource"] is False


def test_it_refuses_a_vaccination_in_the_future_or_not_in_the_list(client, alice):
    url = reverse("records:entry_add", args=["vaccin"])
    assert client.post(url, {"vaccine": "J07CA01", "day": "2999-01-01"}).status_code == 400
    assert client.post(url, {"vaccine": "NOPE", "day": "2020-01-01"}).status_code == 400
    patient = accounts.patient_of(alice)
    assert records.search(Actor.of_user(alice), patient.pk, "Immunization", Purpose.SELF).total == 0
