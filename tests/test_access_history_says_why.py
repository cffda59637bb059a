"""The access history says the true reason of a refusal, and never logs reading as writing.

A read refused because a share or a proxy ended says when it ended (« votre partage a pris
fin le … »), not « vous ne lui avez pas donné accès »; opening one's messages is « A lu des
messages », not « A écrit des messages ».
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from carnet.access import grants, history, proxies
from carnet.access.models import AuditEntry, Grant
from carnet.access.services import Actor, NotFound, Purpose
from carnet.care import messaging
from carnet.records import services as records

from .access_records import can_read, record_with_items
from .helpers import citizen
from .people import practitioner_account


def _doctor(n=1):
    return practitioner_account(
        f"doc{n}@example.org", rpps=f"1000000007{n}", display_name=f"Dr Capitole {n}"
    )


def _html(client, owner) -> str:
    client.force_login(owner)
    return client.get(reverse("coffre:history")).content.decode()


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def test_a_read_after_the_share_expired_says_when_it_ended(client):
    owner, pid, made = record_with_items(citizen("henri@example.org"))
    doctor = _doctor()
    grants.share(Actor.of_user(owner), pid, doctor.pk, categories=["measurements"])
    ended = timezone.now() - timedelta(days=3)
    Grant.objects.filter(grantee_id=doctor.pk).update(expires_at=ended)
    assert not can_read(Actor.of_user(doctor), made["knee"])

    entry = history.page(Actor.of_user(owner), pid, history.Filters()).entries[0]
    assert not entry.allowed
    assert entry.because == f"votre partage avec cette personne a pris fin le {_day(ended)}"
    page = _html(client, owner)
    assert f"a pris fin le {_day(ended)}" in page
    assert "vous ne lui avez pas donné accès" not in page.lower()


def test_a_stranger_is_still_told_apart_from_an_ended_share(client):
    owner, pid, made = record_with_items(citizen("henri@example.org"))
    assert not can_read(Actor.of_user(_doctor(2)), made["knee"])
    [denied] = AuditEntry.objects.filter(patient_id=pid, decision="deny")
    entry = history.page(Actor.of_user(owner), pid, history.Filters()).entries[0]
    assert "ended" not in entry.because and "pris fin" not in entry.because
    assert denied.actor_role == "practitioner"


def test_a_relative_refused_after_the_proxy_was_ended(client):
    owner, pid, made = record_with_items(citizen("henri@example.org"))
    sophie = citizen("sophie@example.org")
    proxy = proxies.add_proxy(Actor.of_user(owner), pid, sophie.pk, permissions=("read",))
    assert can_read(Actor.of_user(sophie), made["knee"])
    proxies.revoke_proxy(Actor.of_user(owner), pid, proxy.pk)
    proxy.refresh_from_db()
    # One second later she tries again, as the person she was acting for.
    with pytest.raises(NotFound):
        records.read(Actor.of_user(sophie), *made["knee"], Purpose.PROXY)
    page = _html(client, owner)
    assert f"a pris fin le {_day(proxy.revoked_at)}" in page


def test_opening_messages_is_reading_not_writing(client):
    owner, pid, _made = record_with_items(citizen("henri@example.org"))
    messaging.for_person(Actor.of_user(owner), pid)
    sophie = citizen("sophie@example.org")
    proxies.add_proxy(Actor.of_user(owner), pid, sophie.pk, permissions=("read", "messages"))
    messaging.for_person(Actor.of_user(sophie), pid)
    actions = set(AuditEntry.objects.filter(patient_id=pid).values_list("action", flat=True))
    assert "read_messages" in actions and "messages" not in actions
    page = _html(client, owner)
    rows = re.findall(r'<li class="entry[^"]*" data-seq="\d+">.*?</li>', page, re.S)
    sophie_rows = [r for r in rows if "sophie" in r.lower()]
    assert sophie_rows and all("A écrit des messages" not in r for r in sophie_rows)
    assert any("a lu des messages" in r.lower() for r in sophie_rows)
