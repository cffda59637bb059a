"""Searching the record: words found with accents and case ignored, never stored in clear,
sent by POST only, and never finding what the searcher may not see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from carnet.access import grants, masks
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import search, services
from carnet.records.models import SearchToken

from .people import practitioner_account
from .timeline import found_ids, make_record


@pytest.fixture
def karim():
    return make_record()


def test_it_ignores_accents_case_and_finds_word_starts(karim):
    user, pid, ids = karim
    assert found_ids(user, pid, "hemoglobine") == {ids["a1"], ids["a2"], ids["a3"]}
    assert found_ids(user, pid, "HÉMOGLO") == {ids["a1"], ids["a2"], ids["a3"]}
    assert found_ids(user, pid, "glyquée hba1c") == {ids["a1"], ids["a2"], ids["a3"]}
    assert found_ids(user, pid, "diabète") == {ids["cond"]}
    assert found_ids(user, pid, "DIABET") == {ids["cond"], ids["enc"]}
    assert found_ids(user, pid, "metformine") == {ids["med"]}
    assert found_ids(user, pid, "garonne") == {ids["enc"], ids["vac"], ids["med"]}
    assert found_ids(user, pid, "grippe vaccin") == set()  # every word must match
    assert found_ids(user, pid, "x") == set()


def test_it_stores_only_blind_tokens(karim):
    _user, pid, ids = karim
    tokens = set(
        SearchToken.objects.filter(patient_id=pid, param=search.WORD).values_list(
            "token", flat=True
        )
    )
    assert len(tokens) > 30
    assert all(len(t) == 32 and int(t, 16) >= 0 for t in tokens)
    words = {"hemoglobine", "metformine", "grippe", "diabete", "garonne"}
    assert not any(w in t for t in tokens for w in words)


def test_a_new_version_is_indexed_again(karim):
    user, pid, ids = karim
    actor = Actor.of_user(user)

    def rename(resource):
        resource["code"]["text"] = "Hémoglobine A1c de contrôle"
        return resource

    services.revise(actor, pid, ids["a1"], Purpose.SELF, rename)
    assert ids["a1"] in found_ids(user, pid, "controle")
    assert ids["a1"] not in found_ids(user, pid, "glyquee")


def test_the_page_takes_words_by_post_only_and_shows_one_liners(client, karim):
    user, _pid, ids = karim
    client.force_login(user)
    url = reverse("records:search")
    assert client.get(url, {"q": "metformine"}).content.decode().count(ids["med"]) == 0
    response = client.post(url, {"q": "Metformine"})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("records:item", args=[ids["med"]]) in html
    assert "Metformine 1000 mg" in html and "Dr Claire Garonne" in html
    # The words stay out of the audit trail: it says a search was made, not what for.
    details = [str(e.details) for e in AuditEntry.objects.all()]
    assert details and not any("etformine" in d for d in details)


def test_an_empty_query_is_explained(client, karim):
    user, _pid, _ids = karim
    client.force_login(user)
    response = client.post(reverse("records:search"), {"q": "  ?! "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_practitioner_never_finds_masked_or_unshared_items(karim):
    user, pid, ids = karim
    doctor = practitioner_account(
        "dr@example.org", "a long enough passphrase", role="practitioner", rpps="10101010101"
    )
    owner = Actor.of_user(user)
    grants.share(owner, pid, doctor.pk, categories=["results"], duration=timedelta(days=30))
    assert found_ids(doctor, pid, "hemoglobine", Purpose.TREATMENT) == {
        ids["a1"],
        ids["a2"],
        ids["a3"],
    }
    masks.set_mask(owner, pid, "Observation", ids["a2"], audience="self")
    listing = services.search_text(Actor.of_user(doctor), pid, Purpose.TREATMENT, "hemoglobine")
    assert {r["id"] for r in listing.resources} == {ids["a1"], ids["a3"]}
    assert listing.total == 2
    assert found_ids(doctor, pid, "metformine", Purpose.TREATMENT) == set()  # not shared


def test_a_stranger_cannot_search_my_record(karim):
    from carnet.access.services import NotFound

    _user, pid, _ids = karim
    eve = accounts.create_user("eve@example.org", "a long enough passphrase", role="citizen")
    with pytest.raises(NotFound):
        services.search_text(Actor.of_user(eve), pid, Purpose.SELF, "metformine")
