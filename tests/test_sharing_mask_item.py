"""Mask one item: only me, only my médecin traitant, or my care team; and emergencies."""

import re

from django.urls import reverse

from carnet.access import grants, masks
from carnet.access.models import ItemMask
from carnet.access.services import Actor

from .access_records import can_read, record_with_items
from .people import citizen, confirmed, english, pro, with_totp


def _post(client, ref, audience, emergency=False, kind="results"):
    data = {"resource_type": ref[0], "fhir_id": ref[1], "audience": audience, "kind": kind}
    if emergency:
        data["hide_in_emergency"] = "on"
    return client.post(reverse("coffre:sharing_items"), data)


def test_the_page_lists_items_by_kind_with_their_current_choice(client):
    owner, _pid, made = record_with_items(citizen())
    english(client).force_login(owner)
    html = client.get(reverse("coffre:sharing_items"), {"kind": "conditions"}).content.decode()
    assert f'id="item-{made["depression"][1]}"' in html
    assert "sensitive" in html  # the depression is marked sensitive
    assert "Only my médecin traitant" in html and "Only me" in html


def test_the_page_starts_with_the_kinds_and_their_counts_not_with_every_item(client):
    owner, _pid, made = record_with_items(citizen())
    english(client).force_login(owner)
    for query in ({}, {"kind": "nonsense"}):
        html = client.get(reverse("coffre:sharing_items"), query).content.decode()
        assert 'href="?kind=conditions"' in html and 'href="?kind=results"' in html
        assert re.search(r"Health problems <span class=\"count\">\(2\)</span>", html)
        assert 'name="audience"' not in html and 'id="item-' not in html


def test_restricted_items_come_first_marked_and_said_in_words(client):
    owner, pid, made = record_with_items(citizen())
    masks.set_mask(Actor.of_user(owner), pid, *made["knee"], audience="self")
    english(client).force_login(owner)
    html = client.get(reverse("coffre:sharing_items"), {"kind": "results"}).content.decode()
    rows = re.findall(r'<li class="item-row( restricted)?" id="item-([^"]+)"', html)
    assert len(rows) >= 3
    assert rows[0] == (" restricted", made["knee"][1])
    assert all(mark == "" for mark, _id in rows[1:])
    assert "Nobody but you sees it, even in an emergency." in html
    assert "Your care team sees it." in html
    # The change form is folded under each row; its choices are radio buttons in labels.
    assert html.count("<details>") == len(rows)
    assert html.count('type="radio" name="audience"') == 3 * len(rows)
    assert re.search(r'<label class="option"><input type="checkbox" name="hide_in_emergency"', html)
    overview = client.get(reverse("coffre:sharing_items")).content.decode()
    assert "including 1 restricted" in overview


def test_only_me_hides_an_item_even_from_the_medecin_traitant(client):
    owner, pid, made = record_with_items(citizen())
    gp, physio = pro("Claire Garonne", "médecin généraliste"), pro()
    me = Actor.of_user(owner)
    grants.set_referent(me, pid, gp.pk)
    grants.share(me, pid, physio.pk, categories=["measurements"], duration="month")
    confirmed(english(client), owner)
    response = _post(client, made["knee"], "self", kind="results")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?kind=results#item-{made['knee'][1]}")
    assert not can_read(Actor.of_user(gp), made["knee"])
    assert not can_read(Actor.of_user(physio), made["knee"])
    # Only my médecin traitant: the physiotherapist still does not see it, the GP does.
    _post(client, made["knee"], "referent")
    assert can_read(Actor.of_user(gp), made["knee"])
    assert not can_read(Actor.of_user(physio), made["knee"])
    _post(client, made["knee"], "care_team", emergency=True)
    mask = ItemMask.objects.get(patient_id=pid, fhir_id=made["knee"][1])
    assert (mask.audience, mask.hide_in_emergency) == ("care_team", True)
    assert can_read(Actor.of_user(physio), made["knee"])


def test_someone_else_s_item_is_not_found(client):
    _owner, _pid, made = record_with_items(citizen())
    english(client).force_login(citizen("Intruder"))
    assert _post(client, made["knee"], "self").status_code == 404
    assert not ItemMask.objects.exists()


def test_a_garbled_choice_changes_nothing_and_says_so(client):
    owner, _pid, made = record_with_items(citizen())
    english(client).force_login(owner)
    response = _post(client, made["knee"], "my banker")
    assert response.status_code == 302
    assert not ItemMask.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "This choice was not understood" in page


def test_with_two_factor_authentication_only_showing_more_asks_to_confirm(client):
    owner, _pid, made = record_with_items(citizen())
    with_totp(owner)
    english(client).force_login(owner)
    # Hiding more: no confirmation needed.
    assert _post(client, made["knee"], "self")["Location"].startswith("/partage/elements/")
    # Showing again: confirm who you are first.
    response = _post(client, made["knee"], "care_team")
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert ItemMask.objects.get(fhir_id=made["knee"][1]).audience == "self"
