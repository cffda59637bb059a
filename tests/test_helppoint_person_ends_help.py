"""The person ends the help at any moment (the « End » of their banner): the advisor can do
nothing more, and their next action is refused and written in the person's history. It
also ends by itself after 30 minutes."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from carnet.access import assistance
from carnet.access.models import AuditEntry
from carnet.access.services import Purpose, decide

from .helppoint import desk_advisor, henri, open_session
from .people import english

REMINDER = {"title": "Prise de sang", "day": "2027-03-14", "at": "09:30"}


def test_the_person_ends_it_and_the_advisors_next_action_is_refused(client):
    english(client)
    person, pid = henri()
    adv = desk_advisor()
    open_session(person, adv, ["reminders"])
    advisor_client = client.__class__()
    advisor_client.force_login(adv)
    assert advisor_client.get(reverse("helppoint:assist")).status_code == 200
    client.force_login(person)
    ended = client.post(reverse("helppoint:person_end"))
    assert ended.status_code == 302
    assert assistance.live_for_patient(pid) == []
    refused = advisor_client.post(reverse("helppoint:reminder"), REMINDER)
    assert refused.status_code == 403
    last = AuditEntry.objects.filter(patient_id=pid).latest("seq")
    assert (last.actor_id, last.purpose, last.decision) == (adv.pk, "assistance", "deny")
    assert "is helping you" not in client.get(reverse("helppoint:person")).content.decode()


def test_the_advisor_ends_it(client):
    english(client)
    person, pid = henri()
    adv = desk_advisor()
    open_session(person, adv)
    client.force_login(adv)
    client.post(reverse("helppoint:end"))
    assert assistance.live_for_advisor(adv.pk) is None
    actor = assistance.Session  # noqa: F841 - the policy is asked below
    from carnet.helppoint.services import desk_actor

    assert not decide(desk_actor(adv), pid, "update", Purpose.ASSISTANCE)


def test_it_ends_by_itself_after_30_minutes():
    person, pid = henri()
    adv = desk_advisor()
    live = open_session(person, adv)
    at_the_end = live.started_at + timedelta(minutes=30)
    assert decide(
        live.actor(), pid, "update", Purpose.ASSISTANCE, now=at_the_end - timedelta(seconds=1)
    )
    assert not decide(live.actor(), pid, "update", Purpose.ASSISTANCE, now=at_the_end)
    assert assistance.live_for_advisor(adv.pk, now=at_the_end) is None


def test_a_session_cannot_last_longer_than_30_minutes():
    import pytest

    person, pid = henri()
    adv = desk_advisor()
    from carnet.helppoint.services import desk_actor

    with pytest.raises(assistance.Invalid):
        assistance.open(desk_actor(adv), pid, ["read"], place="x", chosen_on="app", minutes=31)
    assert timezone.now()  # nothing opened
    assert assistance.live_for_advisor(adv.pk) is None
