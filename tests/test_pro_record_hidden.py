"""What the person hid or did not share never reaches the practitioner's pages, and the
pages do not say whether anything is hidden; without a live grant, the record is not found.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from carnet.access import grants
from carnet.access.models import Grant
from carnet.access.services import Actor

from .people import citizen, english, pro
from .pro_record import shared_record, url

# Only me (diabetes), outside the grant (vaccine, heart rate), sensitive (depression, HIV
# test), very sensitive (secret note).
HIDDEN = ("diabetes", "flu_vaccine", "knee", "depression", "hiv_test", "secret_note")


def _pages(client, pid) -> dict[str, str]:
    return {
        name: client.get(url(name, pid)).content.decode()
        for name in ("record", "timeline", "search")
    }


def test_masked_and_ungranted_items_are_absent_from_every_page_and_not_found(client):
    _owner, pid, made, gp = shared_record()
    english(client).force_login(gp)
    pages = _pages(client, pid)
    for name in HIDDEN:
        fid = made[name][1]
        for page, html in pages.items():
            assert fid not in html, (name, page)
        assert client.get(url("item", pid, fid)).status_code == 404, name
    # The same sentence whether anything is hidden or not.
    assert all("Some items may be hidden by the person." in html for html in pages.values())


def test_the_sentence_is_the_same_when_nothing_is_hidden(client):
    owner = citizen("Léa Fontaine")
    from carnet.accounts import services as accounts

    pid = accounts.patient_of(owner).pk
    gp = pro()
    grants.share(Actor.of_user(owner), pid, gp.pk, categories=["results"], duration="month")
    english(client).force_login(gp)
    html = client.get(url("record", pid)).content.decode()
    assert "Some items may be hidden by the person." in html
    assert "Nothing you may see yet." in html


def _without_request_number(html: bytes) -> str:
    # Every error page carries its own request number for the help desk; nothing else varies.
    return re.sub(r"<code>[0-9a-f]+</code>", "", html.decode())


def _not_found_page(client) -> str:
    return _without_request_number(client.get(url("record", 999_999)).content)


@pytest.mark.parametrize("page", ["record", "timeline", "search"])
def test_a_withdrawn_grant_closes_every_page_at_once(client, page):
    owner, pid, made, gp = shared_record()
    english(client).force_login(gp)
    assert client.get(url(page, pid)).status_code == 200
    grant = Grant.objects.get(patient_id=pid, grantee_id=gp.pk, revoked_at__isnull=True)
    assert grants.revoke(Actor.of_user(owner), pid, grant.pk)
    response = client.get(url(page, pid))
    assert response.status_code == 404
    assert _without_request_number(response.content) == _not_found_page(client)
    assert client.get(url("item", pid, made["insulin"][1])).status_code == 404


def test_an_expired_grant_is_not_found_like_a_record_that_does_not_exist(client):
    _owner, pid, made, gp = shared_record()
    Grant.objects.filter(patient_id=pid, grantee_id=gp.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    english(client).force_login(gp)
    response = client.get(url("record", pid))
    assert response.status_code == 404
    assert _without_request_number(response.content) == _not_found_page(client)
    assert client.get(url("item", pid, made["insulin"][1])).status_code == 404
    assert client.post(url("search", pid), {"q": "insuline"}).status_code == 404


def test_another_practitioner_finds_nothing(client):
    _owner, pid, made, _gp = shared_record()
    english(client).force_login(pro("Marc Capitole", "cardiologue"))
    for page in ("record", "timeline", "search"):
        assert client.get(url(page, pid)).status_code == 404, page
    assert client.get(url("item", pid, made["insulin"][1])).status_code == 404


def test_citizens_even_the_person_themself_do_not_get_the_practitioner_pages(client):
    owner, pid, made, _gp = shared_record()
    for who in (owner, citizen("Sophie Esquirol")):
        english(client).force_login(who)
        for page in ("record", "timeline", "search"):
            assert client.get(url(page, pid)).status_code == 404, page
        assert client.get(url("item", pid, made["insulin"][1])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    _owner, pid, _made, _gp = shared_record()
    response = client.get(url("record", pid))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_item_of_another_record_is_not_found_through_a_shared_one(client):
    _owner, pid, _made, gp = shared_record()
    _other_owner, _other_pid, other_made, _other_gp = shared_record()
    english(client).force_login(gp)
    assert client.get(url("item", pid, other_made["insulin"][1])).status_code == 404
