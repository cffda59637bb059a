"""Browsing the timeline: every item newest first, in plain words, filtered and paged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from carnet.access import grants
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services

from .people import practitioner_account
from .timeline import make_record


@pytest.fixture
def karim():
    return make_record()


def _items(html: str, ids: dict) -> list[str]:
    """Which items of the fixture a page links to, in page order."""
    found = []
    for name, fid in ids.items():
        pos = html.find(reverse("records:item", args=[fid]))
        if pos >= 0:
            found.append((pos, name))
    return [n for _p, n in sorted(found)]


def test_it_sends_anonymous_people_to_sign_in(client):
    response = client.get(reverse("records:timeline"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_lists_every_item_newest_first_without_bills(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    response = client.get(reverse("records:timeline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _items(html, ids) == ["enc", "a3", "g1", "a2", "vac", "a1", "w1", "med", "cond"]
    # What, when, who in plain words; the bill is under its own kind.
    assert "Consultation de diabétologie" in html and "12 mars 2024" in html
    assert "Dr Claire Garonne" in html
    assert "5,6 %" in html
    assert "bill" not in _items(html, ids)


def test_it_filters_by_kind_period_and_practitioner(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    url = reverse("records:timeline")
    html = client.get(url, {"type": "results"}).content.decode()
    assert _items(html, ids) == ["a3", "g1", "a2", "a1"]  # the weight is a measurement
    html = client.get(url, {"type": "measurements"}).content.decode()
    assert _items(html, ids) == ["w1"]
    html = client.get(url, {"type": "administrative"}).content.decode()
    assert _items(html, ids) == ["bill"]
    html = client.get(url, {"du": "2023-10-01", "au": "2024-03-05"}).content.decode()
    assert _items(html, ids) == ["a3", "g1", "a2", "vac"]
    dr = ids["dr"]
    html = client.get(url, {"pro": dr}).content.decode()
    # Her visit, the result of that visit, the vaccine she gave, the treatment she prescribed.
    assert _items(html, ids) == ["enc", "a3", "vac", "med"]
    assert f'<option value="{dr}"' in html and "Dr Claire Garonne" in html


def test_it_explains_a_period_upside_down_and_ignores_bad_values(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    url = reverse("records:timeline")
    with translation.override("fr"):
        swapped = translation.gettext(
            "The end of the period comes before its start: swap the two dates."
        )
    response = client.get(url, {"du": "2024-01-01", "au": "2023-01-01"})
    assert response.status_code == 200
    assert swapped in response.content.decode()
    response = client.get(url, {"type": "nonsense", "pro": "../x", "page": "abc"})
    assert response.status_code == 200
    assert len(_items(response.content.decode(), ids)) == 9


def test_it_pages_through_a_long_record(client, karim):
    user, pid, ids = karim
    actor = Actor.of_user(user)
    first = services.timeline(actor, pid, Purpose.SELF, per_page=4)
    second = services.timeline(actor, pid, Purpose.SELF, per_page=4, page=2)
    third = services.timeline(actor, pid, Purpose.SELF, per_page=4, page=3)
    assert first.total == 9 and first.pages == 3
    seen = [r["id"] for p in (first, second, third) for r in p.resources]
    assert len(seen) == len(set(seen)) == 9
    client.force_login(user)
    html = client.get(reverse("records:timeline"), {"page": 99}).content.decode()
    assert len(_items(html, ids)) == 9  # past the end: the last page


def test_a_practitioner_sees_only_what_is_shared_and_never_masked_items(karim):
    from carnet.access import masks

    user, pid, ids = karim
    doctor = practitioner_account(
        "dr@example.org", "a long enough passphrase", role="practitioner", rpps="10101010101"
    )
    owner = Actor.of_user(user)
    grants.share(owner, pid, doctor.pk, categories=["results"], duration=timedelta(days=30))
    masks.set_mask(owner, pid, "Observation", ids["g1"], audience="self")
    listing = services.timeline(Actor.of_user(doctor), pid, Purpose.TREATMENT)
    assert {r["id"] for r in listing.resources} == {ids["a1"], ids["a2"], ids["a3"]}
    assert listing.total == 3


def test_another_person_sees_nothing_of_mine(client, karim):
    _user, _pid, ids = karim
    other = accounts.create_user("eve@example.org", "a long enough passphrase", role="citizen")
    accounts.ensure_own_patient(other)
    client.force_login(other)
    html = client.get(reverse("records:timeline")).content.decode()
    assert _items(html, ids) == []
    assert client.get(reverse("records:item", args=[ids["a3"]])).status_code == 404
