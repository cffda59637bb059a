"""« Rien n'a changé » / « C'est à jour »: the stale-data prompt is offered on the newest value
of a kind only, and only where saying so makes sense.

A weight can stay the same for years: its newest value may be confirmed. A blood pressure
changes from one reading to the next: an old reading cannot be « still right », so its prompt
asks for a new measurement instead. An older value of a kind, when a newer one exists (even
coded another way: body weight 29463-7 and measured weight 3141-9), asks nothing.
"""

from __future__ import annotations

import html
import re
from datetime import date

from django.urls import reverse

from .bundles import LOINC, Bundle, person


def _kg(value: float) -> dict:
    unit = {"value": value, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}
    return {"valueQuantity": unit}


def _bp(day: date, b: Bundle) -> dict:
    def part(code, value):
        return {
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "valueQuantity": {"value": value, "unit": "mm[Hg]", "code": "mm[Hg]"},
        }

    return b.observation(day, "85354-9", component=[part("8480-6", 121), part("8462-4", 78)])


def _id(ref: dict) -> str:
    return ref["reference"].rsplit("/", 1)[-1] if "/" in ref["reference"] else ref["reference"]


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _item_ids(user) -> dict[str, str]:
    from carnet.access.services import Actor, Purpose
    from carnet.accounts import services as accounts
    from carnet.records import services as records

    pid = accounts.patient_of(user).pk
    out = {}
    for r in records.everything(Actor.of_user(user), pid, Purpose.SELF):
        if r["resourceType"] == "Observation":
            code = r["code"]["coding"][0]["code"]
            out[f"{code}@{r['effectiveDateTime'][:4]}"] = r["id"]
    return out


def test_an_old_weight_with_a_newer_one_asks_nothing_and_the_newest_may_be_confirmed(client):
    b = Bundle(date(1970, 1, 1), "female")
    b.observation(date(2020, 3, 1), "29463-7", **_kg(70))
    b.observation(date(2023, 5, 1), "3141-9", **_kg(71))  # newer, coded as a measured weight
    user, _pid = person("weights@example.org", b)
    ids = _item_ids(user)
    old, new = ids["29463-7@2020"], ids["3141-9@2023"]
    body = _page(client, user, reverse("records:item", args=[old]))
    assert "item-fresh" not in body
    assert reverse("records:item_still_right", args=[old]) not in body
    assert "Rien n’a changé" not in body and "Rien n'a changé" not in body
    body = _page(client, user, reverse("records:item", args=[new]))
    assert "item-fresh" in body  # 2023: over a year old
    assert reverse("records:item_still_right", args=[new]) in body


def test_an_old_blood_pressure_asks_for_a_new_measurement_not_to_say_nothing_changed(client):
    b = Bundle(date(1970, 1, 1), "male")
    _bp(date(2020, 6, 1), b)
    user, _pid = person("bp@example.org", b)
    [bp] = _item_ids(user).values()
    body = _page(client, user, reverse("records:item", args=[bp]))
    assert "item-fresh" in body and "Ajouter une nouvelle mesure" in body
    assert reverse("records:item_still_right", args=[bp]) not in body
    client.force_login(user)
    assert client.post(reverse("records:item_still_right", args=[bp])).status_code == 404
    # The reminders page says the same: add a reading; no « C'est à jour » for it.
    page = _page(client, user, reverse("reminders:index"))
    [item] = [
        i
        for i in re.findall(r'<li class="rm-item[^"]*">(.*?)</li>', page, flags=re.S)
        if "stale:blood-pressure" in i
    ]
    assert 'value="confirm"' not in item
    assert reverse("records:entry_index") in item
