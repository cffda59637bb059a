"""A parent acting for their child sees the child's reminders; strangers and past proxies do not."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnet.access import proxies
from carnet.access.models import AuditEntry, Proxy
from carnet.access.services import Actor, NotFound
from carnet.reminders import services

from .people import add_child, citizen

PAGES = [
    "reminders:index",
    "reminders:vaccinations",
    "reminders:treatments",
    "reminders:programmes",
    "reminders:agenda",
]


@pytest.fixture
def family(client):
    """Sophie, acting for Léo (born four months ago, no vaccine recorded yet)."""
    mum = citizen("Sophie Esquirol", language="fr")
    born = timezone.localdate() - dt.timedelta(days=122)
    pid = add_child(client, mum, born, given="Léo", family="Esquirol")
    client.post(reverse("coffre:act_for", args=[pid]))
    return mum, pid


def _due_infant_vaccines(mum, pid):
    ov = services.overview(Actor.of_user(mum), pid)
    due = [r for r in ov.of_kind("vaccination") if r.status in ("due", "overdue")]
    assert due, "an unvaccinated four-month-old has vaccines due"
    return due


def test_a_parent_sees_the_childs_vaccination_calendar(client, family):
    mum, pid = family
    due = _due_infant_vaccines(mum, pid)
    assert any(r.rule.endswith("/hexavalent") for r in due)
    page = client.get(reverse("reminders:vaccinations"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Léo Esquirol" in body and 'class="rm-subject"' in body
    for r in due:
        assert r.title in body
    assert "acting-banner" in body
    # Read as the parent for the child: it is in the child's access history.
    entry = AuditEntry.objects.filter(patient_id=pid, actor_id=mum.pk, action="read").last()
    assert entry.purpose == "proxy" and entry.decision == "permit"


@pytest.mark.parametrize("name", PAGES)
def test_every_rappels_page_shows_the_relatives_name(client, family, name):
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert "Léo Esquirol" in page.content.decode()


def test_a_parent_who_manages_the_record_snoozes_a_childs_reminder(client, family):
    mum, pid = family
    r = _due_infant_vaccines(mum, pid)[0]
    done = client.post(
        reverse("reminders:choose"),
        {"action": "snooze7", "key": r.key, "anchor": "a-faire", "page": "vaccinations"},
    )
    assert done["Location"].startswith(reverse("reminders:vaccinations"))
    again = services.overview(Actor.of_user(mum), pid)
    assert r.key not in {x.key for x in again.pressing}
    assert AuditEntry.objects.filter(
        patient_id=pid, actor_id=mum.pk, purpose="proxy", action="update"
    ).exists()


def test_a_stranger_cannot_see_the_childs_reminders(family):
    _mum, pid = family
    stranger = citizen("Inconnu Total", language="fr")
    client = Client()
    client.force_login(stranger)
    client.post(reverse("coffre:act_for", args=[pid]))  # refused: not a proxy
    for name in PAGES:
        body = client.get(reverse(name)).content.decode()
        assert "Léo" not in body and "rm-subject" not in body  # their own (empty) space
    with pytest.raises(NotFound):
        services.overview(Actor.of_user(stranger), pid)


def test_an_expired_proxy_goes_back_to_their_own_space(client):
    henri = citizen("Henri Marty", language="fr")
    sophie = citizen("Sophie Esquirol", language="fr")
    from carnet.accounts import services as accounts

    pid = accounts.patient_of(henri).pk
    proxies.add_proxy(
        Actor.of_user(henri),
        pid,
        sophie.pk,
        permissions=["read"],
        until=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(sophie)
    client.post(reverse("coffre:act_for", args=[pid]))
    assert "Henri Marty" in client.get(reverse("reminders:index")).content.decode()
    Proxy.objects.filter(patient_id=pid, proxy_id=sophie.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    body = client.get(reverse("reminders:index")).content.decode()
    # Back in her own space, told in plain words that the access ended.
    assert "rm-subject" not in body
    assert "Henri Marty a pris fin" in body or "de Henri Marty a pris fin" in body
    with pytest.raises(NotFound):
        services.overview(Actor.of_user(sophie), pid)


def test_a_relative_without_reading_rights_is_told_so(client):
    henri = citizen("Henri Marty", language="fr")
    sophie = citizen("Sophie Esquirol", language="fr")
    from carnet.accounts import services as accounts

    pid = accounts.patient_of(henri).pk
    proxies.add_proxy(Actor.of_user(henri), pid, sophie.pk, permissions=["appointments"])
    client.force_login(sophie)
    client.post(reverse("coffre:act_for", args=[pid]))
    for name in PAGES:
        refused = client.get(reverse(name))
        assert refused.status_code == 403  # said plainly: Henri did not give it
        assert (
            "Henri Marty" in refused.content.decode()
            and "rm-subject" not in refused.content.decode()
        )
    # Reading is not changing: a reader who may not manage cannot snooze anything.
    proxies.add_proxy(Actor.of_user(henri), pid, sophie.pk, permissions=["read"])
    done = client.post(
        reverse("reminders:choose"), {"action": "off", "key": "vaccination:x"}, follow=True
    )
    assert "rm-off" not in done.content.decode()
    assert not AuditEntry.objects.filter(
        patient_id=pid, actor_id=sophie.pk, action="update", decision="permit"
    ).exists()


def test_from_the_relatives_page_a_parent_opens_the_childs_reminders_in_one_tap(client):
    """Where a reminder sent to a parent leads: « Mes proches », then the child's reminders."""
    mum = citizen("Sophie Esquirol", language="fr")
    pid = add_child(client, mum, timezone.localdate() - dt.timedelta(days=70), given="Léo")
    spaces = client.get(reverse("coffre:spaces")).content.decode()
    assert 'name="then" value="reminders"' in spaces
    response = client.post(reverse("coffre:act_for", args=[pid]), {"then": "reminders"})
    assert response["Location"] == reverse("reminders:index")
    assert "Léo" in client.get(response["Location"]).content.decode()
    # Anything else leads to the relative's record, never to an address given by the form.
    other = client.post(reverse("coffre:act_for", args=[pid]), {"then": "https://evil.example"})
    assert other["Location"] == reverse("coffre:proxy_record")
