"""Bad input to the simulator: a clear message naming the field, and nothing computed."""

import pytest
from django.utils import translation

from carnet.insurance import simulator


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


PERSON = {"birth_date": "1980-05-10", "medecin_traitant": True}
GP = {"kind": "consultation", "fee": 30}


def _input(care=(GP,), day="2025-03-03", **person):
    return {"date": day, "person": PERSON | person, "care": list(care)}


@pytest.mark.parametrize(
    "data,field,words",
    [
        (_input(care=[{"kind": "massage", "fee": 30}]), "care[0].kind", "unknown act"),
        (_input(care=[GP, {"kind": "lab", "fee": -5}]), "care[1].fee", "negative"),
        (_input(day="2024-12-21"), "date", "rules begin on 2024-12-22"),
        (_input(day="2025-02-30"), "date", "YYYY-MM-DD"),
        (_input(pregnancy_month=0), "person.pregnancy_month", "from 1 to 9"),
        (_input(pregnancy_month=10), "person.pregnancy_month", "from 1 to 9"),
        (
            _input(care=[{"kind": "medicine", "cip13": "3400900000000"}]),
            "care[0].cip13",
            "no pack with this code",
        ),
        (_input(care=[{"kind": "medicine", "rate": 50, "price": 3}]), "care[0].rate", "65"),
        (_input(care=[GP | {"ald_related": True}]), "care[0].ald_related", "no ALD"),
        (
            _input(
                care=[{"kind": "consultation", "specialty": "cardiology", "sector": "2", "fee": 80}]
            ),
            "care[0].base",
            "base",
        ),
        (_input(care=[GP | {"specialty": "astrology"}]), "care[0].specialty", "unknown specialty"),
        (_input(care=[GP | {"sector": "3"}]), "care[0].sector", "'optam'"),
        (_input(care=[{"kind": "transport", "fee": 50}]), "care[0].rate", "no verified rate"),
        (
            _input(care=[{"kind": "medicine", "rate": 65, "price": 3, "boxes": 0}]),
            "care[0].boxes",
            "from 1",
        ),
        (_input(care=[GP | {"fee": "thirty"}]), "care[0].fee", "amount in euros"),
        (_input(care=[]), "care", "at least one"),
        (_input(birth_date="2030-01-01"), "person.birth_date", "after the date"),
        (_input(pf_paid_this_year=-1), "person.pf_paid_this_year", "negative"),
        ([1, 2], "input", "JSON object"),
    ],
)
def test_bad_input_names_the_field_and_computes_nothing(data, field, words, monkeypatch):
    computed = []
    monkeypatch.setattr(simulator, "_line", lambda *a: computed.append(a))
    with pytest.raises(simulator.InvalidInput) as caught:
        simulator.run(data)
    assert caught.value.field == field
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")
    assert computed == []
