"""Withdraw one practitioner's access: it stops on their very next request."""

from django.urls import reverse

from carnet.access import grants
from carnet.access.models import Grant
from carnet.access.services import Actor

from .access_records import can_read, record_with_items
from .people import citizen, english, pro, with_totp


def test_withdrawing_one_access_stops_it_at_once(client):
    owner, pid, made = record_with_items(citizen())
    physio, gp = pro(), pro("Claire Garonne", "médecin généraliste")
    me = Actor.of_user(owner)
    grant = grants.share(me, pid, physio.pk, categories=["measurements"], duration="year")
    grants.set_referent(me, pid, gp.pk)
    assert can_read(Actor.of_user(physio), made["knee"])
    with_totp(owner)  # taking back never asks to confirm, even with two-step sign-in
    english(client).force_login(owner)
    response = client.post(reverse("coffre:sharing_revoke", args=[grant.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("coffre:sharing")
    assert not can_read(Actor.of_user(physio), made["knee"])
    assert can_read(Actor.of_user(gp), made["knee"])  # the others keep theirs
    page = client.get(reverse("coffre:sharing")).content.decode()
    assert "Access withdrawn" in page and "Julien Carmes" not in page


def test_one_cannot_withdraw_someone_else_s_grant_nor_twice(client):
    owner, pid, _made = record_with_items(citizen())
    physio = pro()
    grant = grants.share(Actor.of_user(owner), pid, physio.pk, categories=["results"])
    english(client).force_login(citizen("Intruder"))
    assert client.post(reverse("coffre:sharing_revoke", args=[grant.pk])).status_code == 404
    assert Grant.objects.get(pk=grant.pk).revoked_at is None
    client.force_login(owner)
    assert client.post(reverse("coffre:sharing_revoke", args=[grant.pk])).status_code == 302
    assert client.post(reverse("coffre:sharing_revoke", args=[grant.pk])).status_code == 404


def test_withdrawing_needs_a_post(client):
    owner, pid, _made = record_with_items(citizen())
    grant = grants.share(Actor.of_user(owner), pid, pro().pk, categories=["results"])
    english(client).force_login(owner)
    assert client.get(reverse("coffre:sharing_revoke", args=[grant.pk])).status_code == 405
