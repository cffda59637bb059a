"""Accepting a request never narrows access silently (Karim and Dr Jolimont).

Karim already shares everything with Dr Jolimont for a year; Jolimont asks for 24 hours of
results only. Accepting adds what was asked to what he has (the default, and an SMS
« OUI »); « replace » narrows only when Karim says so; « keep » changes nothing.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access import grants, requests
from carnet.access import labels as L
from carnet.access.models import AccessRequest, AuditEntry, Grant
from carnet.access.services import Actor
from carnet.accounts import services as accounts

from .helpers import citizen
from .people import practitioner_account

PASSWORD = "a long enough passphrase"
YEAR = {"consultations", "problems", "treatments", "results"}


@pytest.fixture
def karim():
    return citizen("karim@example.org", PASSWORD)


@pytest.fixture
def jolimont():
    return practitioner_account(
        "jolimont@example.org", PASSWORD, rpps="10000000053", display_name="Paul Jolimont"
    )


def pid(user) -> int:
    return accounts.patient_of(user).pk


def year_long_share(karim, jolimont) -> Grant:
    return grants.share(
        Actor.of_user(karim),
        pid(karim),
        jolimont.pk,
        categories=sorted(YEAR),
        max_level="R",
        mode="write",
        duration="year",
    )


def results_for_a_day(karim, jolimont) -> AccessRequest:
    req = requests.ask(
        Actor.of_user(jolimont),
        target=karim.email,
        reason="fond d'œil",
        categories=["results"],
        duration="consultation",
    )
    return AccessRequest.objects.get(pk=req.pk)


def live(jolimont) -> list[Grant]:
    now = timezone.now()
    return [
        g
        for g in Grant.objects.filter(grantee_id=jolimont.pk, revoked_at__isnull=True)
        if g.expires_at is None or g.expires_at > now
    ]


def confirmed(client, user):
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_request_page_shows_what_they_already_have(client, karim, jolimont):
    year_long_share(karim, jolimont)
    req = results_for_a_day(karim, jolimont)
    client.force_login(karim)
    page = client.get(reverse("coffre:request_detail", args=[req.pk])).content.decode()
    assert "Ce qu'il ou elle voit déjà" in page
    assert "Traitements" in page or "traitements" in page  # a category of the year-long share
    assert 'name="how" value="widen" checked' in page
    sharing = client.get(reverse("coffre:sharing")).content.decode()
    assert "accepter y ajoute, sans rien retirer" in sharing


def test_one_tap_accept_keeps_the_wider_share_and_adds_the_request(client, karim, jolimont):
    before = year_long_share(karim, jolimont)
    req = results_for_a_day(karim, jolimont)
    confirmed(client, karim).post(reverse("coffre:request_approve", args=[req.pk]))
    [grant] = live(jolimont)
    assert L.categories_of_mask(grant.categories) == YEAR | {"results"}
    assert grant.max_level == "R" and grant.mode == "write"
    # The year still runs: not cut down to the 24 hours asked.
    assert abs(grant.expires_at - before.expires_at) < timedelta(minutes=1)
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"


def test_replace_narrows_only_when_the_person_says_so(client, karim, jolimont):
    year_long_share(karim, jolimont)
    req = results_for_a_day(karim, jolimont)
    confirmed(client, karim).post(
        reverse("coffre:request_approve", args=[req.pk]),
        {
            "how": "replace",
            "categories": ["results"],
            "max_level": "N",
            "mode": "read",
            "duration": "consultation",
        },
    )
    [grant] = live(jolimont)
    assert L.categories_of_mask(grant.categories) == {"results"}
    assert grant.expires_at - timezone.now() < timedelta(hours=25)


def test_keep_changes_nothing_and_is_in_the_history(client, karim, jolimont):
    before = year_long_share(karim, jolimont)
    req = results_for_a_day(karim, jolimont)
    response = confirmed(client, karim).post(
        reverse("coffre:request_approve", args=[req.pk]), {"how": "keep"}
    )
    assert response.status_code == 302
    assert [g.pk for g in live(jolimont)] == [before.pk]
    assert AccessRequest.objects.get(pk=req.pk).grant_id == before.pk
    grants_logged = AuditEntry.objects.filter(patient_id=pid(karim), action="grant")
    assert grants_logged.count() == 2  # the year-long share, then the answer that kept it


def test_an_unknown_choice_never_narrows(client, karim, jolimont):
    year_long_share(karim, jolimont)
    req = results_for_a_day(karim, jolimont)
    confirmed(client, karim).post(reverse("coffre:request_approve", args=[req.pk]), {"how": "x"})
    [grant] = live(jolimont)
    assert L.categories_of_mask(grant.categories) >= YEAR


def test_an_sms_yes_widens(karim, jolimont):
    year_long_share(karim, jolimont)
    req = results_for_a_day(karim, jolimont)
    requests.approve(Actor.of_user(karim), pid(karim), req.pk)  # what the SMS answer calls
    [grant] = live(jolimont)
    assert L.categories_of_mask(grant.categories) == YEAR | {"results"}


def test_a_medecin_traitant_keeps_the_whole_record(karim, jolimont):
    referent = grants.set_referent(Actor.of_user(karim), pid(karim), jolimont.pk)
    req = results_for_a_day(karim, jolimont)
    granted = requests.approve(Actor.of_user(karim), pid(karim), req.pk, how="replace")
    assert granted.pk == referent.pk
    assert [g.pk for g in live(jolimont)] == [referent.pk]


def test_without_earlier_access_accepting_gives_what_was_asked(karim, jolimont):
    req = results_for_a_day(karim, jolimont)
    grant = requests.approve(Actor.of_user(karim), pid(karim), req.pk)
    assert L.categories_of_mask(grant.categories) == {"results"}
    assert grant.expires_at - timezone.now() < timedelta(hours=25)
