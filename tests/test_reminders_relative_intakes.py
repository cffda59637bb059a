"""A day on the clock: Léo's antibiotic three times a day reaches his parents at each intake.

Léo has no account of his own, so nobody was told when his amoxicillin was due. The
intake job runs every 15 minutes (twice each time, as a restarted worker would); the real
outbox worker delivers to a loopback SMTP server. Sophie (email) gets one mail per intake
at 08:00, 13:00 and 20:00 naming him by first name only; Marc (in-app only) gets them in
Carnet; a grandmother who may only book appointments, and a stranger, get nothing. An
intake a parent already marked is not announced, and once the treatment's alerts are
turned off, nothing goes out at all.
"""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from carnet.access import proxies
from carnet.access.services import Actor, Purpose
from carnet.notify import services as notify
from carnet.notify.models import Message, Notification
from carnet.records import imports
from carnet.reminders import notifications, services

from .bundles import Bundle
from .helpers import Clock
from .people import add_child, citizen

PARIS = ZoneInfo("Europe/Paris")
DAY = dt.date(2026, 10, 14)
BORN = DAY - dt.timedelta(days=4 * 365)
SITE = "https://carnet.example.org"
SUBJECT = "Un rappel pour Léo"
TICKS = [
    dt.datetime.combine(DAY, dt.time(0, 0), tzinfo=PARIS) + dt.timedelta(minutes=15 * i)
    for i in range(96)
]


@pytest.fixture
def clock():
    c = Clock(TICKS[0], PARIS)
    with mock.patch("django.utils.timezone.now", c):
        yield c


@pytest.fixture
def smtp(settings):
    from .loopback import LoopbackSmtp

    server = LoopbackSmtp().start().use_in(settings)
    settings.CARNET_NOTIFY_KICK = False
    settings.CARNET_SITE_URL = SITE
    yield server
    server.stop()


@pytest.fixture
def family(clock):
    sophie, marc = (
        citizen("Sophie Esquirol", language="fr"),
        citizen("Marc Esquirol", language="fr"),
    )
    granny, stranger = (
        citizen("Jeanne Esquirol", language="fr"),
        citizen("Inconnu Total", language="fr"),
    )
    pid = add_child(Client(), sophie, BORN, given="Léo", family="Esquirol")
    proxies.add_parent(Actor.of_user(sophie), pid, marc.pk)
    proxies.add_proxy(Actor.of_user(sophie), pid, granny.pk, permissions=["appointments"])
    notify.update_preferences(marc, email=False)  # in-app only
    b = Bundle(BORN, "male")
    b.medication(
        DAY - dt.timedelta(days=2), "Amoxicilline 250 mg/5 ml",
        {"frequency": 3, "period": 1, "periodUnit": "d"}, supply_days=7,
    )  # fmt: skip
    b.entries = b.entries[1:]  # the treatment only: Léo's card is the one his parent wrote
    card = services.overview(Actor.of_user(sophie), pid).snapshot.patient
    for entry in b.entries:
        entry["resource"]["subject"] = {"reference": f"Patient/{card['id']}"}
    imports.import_bundle(
        Actor.operator(), b.bundle(), patient_id=pid, filename="ordonnance.json",
        purpose=Purpose.OPERATIONS,
    )  # fmt: skip
    return sophie, marc, granny, stranger, pid


def _treatment(sophie, pid):
    [t] = services.overview(Actor.of_user(sophie), pid).treatments
    return t


def _run_day(clock, smtp=None) -> dict[dt.datetime, int]:
    """Every tick of DAY: the intake job twice, then the outbox. Tick -> proxies told."""
    queued = {}
    for tick in TICKS:
        clock.at = tick
        first = notifications.intakes_now(tick)
        again = notifications.intakes_now(tick)  # a restarted worker: nothing more
        assert first["errors"] == again["errors"] == 0, tick
        assert again["messages"] == 0, tick
        if first["messages"]:
            queued[tick] = first["messages"]
        if smtp is not None:
            notify.send_due(now=tick)
    return queued


def test_the_parents_get_each_intake_of_the_childs_antibiotic_once(clock, smtp, family):
    sophie, marc, granny, stranger, pid = family
    t = _treatment(sophie, pid)
    assert [s.strftime("%H:%M") for s in t.slots(DAY)] == ["08:00", "13:00", "20:00"]

    queued = _run_day(clock, smtp)
    # Both parents told at each intake time (Sophie by email and in Carnet, Marc in Carnet).
    assert queued == {at: 2 for at in t.slots(DAY)}, queued
    mails = [m for m in smtp.received if m["subject"] == SUBJECT]
    assert len(mails) == 3 and all(m["to"] == [sophie.email] for m in mails)
    for mail in mails:
        text = mail["text"]
        assert "Léo" in text and "Esquirol" not in text  # first name only
        for word in ("amoxi", "antibio", "250", "ml"):
            assert word not in text.lower()
        assert SITE + reverse("coffre:spaces") in text
    assert set(smtp.counts.values()) == {1}
    mine = Message.objects.filter(user=sophie, patient_id=pid, event="relative_reminder")
    assert mine.filter(channel="email").count() == mine.filter(channel="in_app").count() == 3
    his = Notification.objects.filter(user=marc, event="relative_reminder")
    assert his.count() == 3 and all("Léo" in n.text for n in his)
    assert not Message.objects.filter(user=marc, patient_id=pid).exclude(channel="in_app").exists()
    # A proxy who may only book appointments, and a stranger, get nothing.
    assert not Message.objects.filter(user__in=[granny, stranger]).exists()
    assert {m.params["first_name"] for m in Message.objects.filter(patient_id=pid)} == {"Léo"}


def test_an_intake_a_parent_marked_is_not_announced(clock, family):
    sophie, marc, _granny, _stranger, pid = family
    t = _treatment(sophie, pid)
    noon = t.slots(DAY)[1]
    clock.at = noon - dt.timedelta(minutes=30)
    services.record_intake(Actor.of_user(sophie), pid, t.id, noon, "taken")
    queued = _run_day(clock)
    assert sorted(queued) == [t.slots(DAY)[0], t.slots(DAY)[2]]
    assert Message.objects.filter(user=marc, patient_id=pid).count() == 2


def test_a_silenced_treatment_sends_nothing(clock, family):
    sophie, _marc, _granny, _stranger, pid = family
    t = _treatment(sophie, pid)
    services.silence_intakes(Actor.of_user(sophie), pid, t.id, True)
    assert _treatment(sophie, pid).silenced
    assert _run_day(clock) == {}
    assert not Message.objects.filter(patient_id=pid).exists()


def test_a_withdrawn_parent_gets_no_more_intake_alerts(clock, family):
    sophie, marc, _granny, _stranger, pid = family
    [row] = [p for p in proxies.represented_by(marc) if p.patient_id == pid]
    proxies.revoke_proxy(Actor.operator("court decision"), pid, row.id)
    morning = _treatment(sophie, pid).slots(DAY)[0]
    assert notifications.notify_relatives_intakes(pid, morning + dt.timedelta(minutes=5)) == 1
    assert not Message.objects.filter(user=marc, patient_id=pid).exists()
    assert Message.objects.filter(user=sophie, patient_id=pid).count() == 2
