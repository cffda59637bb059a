"""Time travel: an infant's two-month vaccines reach the parents, once each, by their channels.

Léo has no account of his own: his record is held by his parents (``add_child``), so his
due reminders go to the proxies who may read it. A frozen clock moves day by day across
his two-month birthday; each morning the daily reminders job runs, then the real outbox
worker delivers to a loopback SMTP server. Sophie (email) gets one mail the day his
vaccines fall due, naming him by first name only; Marc (the other parent, in-app only)
gets it in Carnet; a grandmother who may only book appointments, and a stranger, get
nothing; nothing comes twice, and a parent whose proxy was withdrawn is no longer told.
"""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from carnet.access import proxies
from carnet.access.services import Actor
from carnet.notify import events
from carnet.notify import services as notify
from carnet.notify.models import Message, Notification
from carnet.reminders import notifications, services
from carnet.reminders.base import DONE
from carnet.reminders.record import load

from .helpers import Clock
from .loopback import LoopbackSmtp
from .people import add_child, citizen

PARIS = ZoneInfo("Europe/Paris")
START = dt.date(2026, 9, 1)
BORN = START - dt.timedelta(days=45)  # two months old on 16 October
END = START + dt.timedelta(days=40)
DAYS = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
JOB_AT = dt.time(7, 0)
SITE = "https://carnet.example.org"


@pytest.fixture
def clock():
    c = Clock(dt.datetime.combine(START, JOB_AT, tzinfo=PARIS), PARIS)
    with mock.patch("django.utils.timezone.now", c):
        yield c


@pytest.fixture
def smtp(settings):
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
    return sophie, marc, granny, stranger, pid


def _due_days(sophie, pid) -> dict[dt.date, set[str]]:
    """Day -> keys of the reminders that fall due that day, from one computation."""
    ov = services.compute(load(Actor.of_user(sophie), pid), START)
    out: dict[dt.date, set[str]] = {}
    for r in ov.reminders:
        if r.kind == "stale" or r.status == DONE or r.off or not r.due or r.due > END:
            continue
        out.setdefault(max(START, r.due), set()).add(r.key)
    return out


def test_the_parents_are_told_once_the_day_the_two_month_vaccines_fall_due(clock, smtp, family):
    sophie, marc, granny, stranger, pid = family
    due = _due_days(sophie, pid)
    two_months = BORN.replace(month=BORN.month + 2)
    assert two_months in due, sorted(due)
    assert {"vaccination:hexavalent:1", "vaccination:pcv-infant:1"} <= due[two_months]

    mails: dict[dt.date, int] = {}
    seen = 0
    for day in DAYS:
        clock.set(day, JOB_AT)
        counts = notifications.daily()
        assert counts["errors"] == 0, (day, counts)
        notify.send_due(now=clock.at)
        for mail in smtp.received[seen:]:
            if mail["subject"] != "Un rappel pour Léo":
                # Each adult's reminders about their own record, none naming Léo.
                assert "Léo" not in mail["text"] and "Léo" not in mail["subject"]
                continue
            assert mail["to"] == [sophie.email], mail["to"]
            mails[day] = mails.get(day, 0) + 1
            text = mail["text"]
            assert "Léo" in text and "Esquirol" not in text  # first name only
            for word in ("vaccin", "hexa", "DTP", "pneumo", "méningo"):
                assert word.lower() not in text.lower()
            assert SITE + reverse("coffre:spaces") in text
        seen = len(smtp.received)
        clock.set(day, dt.time(22, 0))  # the job again, the same day: nothing new
        assert notifications.daily()["relatives"] == 0
        notify.send_due(now=clock.at)
        assert len(smtp.received) == seen, day

    assert mails == {two_months: 1} and list(due) == [two_months]
    assert set(smtp.counts.values()) == {1}
    mine = Message.objects.filter(user=sophie, event="relative_reminder")
    assert mine.filter(channel="email").count() == mine.filter(channel="in_app").count() == 1
    # Marc chose in-app only: the same days, in Carnet, naming Léo, linking to his spaces.
    his = Notification.objects.filter(user=marc, event="relative_reminder")
    assert his.count() == len(due)
    assert all("Léo" in n.text and n.url == SITE + reverse("coffre:spaces") for n in his)
    assert not Message.objects.filter(user=marc, patient_id=pid).exclude(channel="in_app").exists()
    # Only reading proxies are told: not the grandmother who books, not a stranger.
    assert not Message.objects.filter(user__in=[granny, stranger], patient_id=pid).exists()
    assert {m.params["first_name"] for m in Message.objects.filter(patient_id=pid)} == {"Léo"}


def test_a_withdrawn_parent_is_no_longer_told(clock, family):
    sophie, marc, _granny, _stranger, pid = family
    assert {u.pk for u in notifications.reminder_readers(pid)} == {sophie.pk, marc.pk}
    [row] = [p for p in proxies.represented_by(marc) if p.patient_id == pid]
    proxies.revoke_proxy(Actor.operator("court decision"), pid, row.id)
    assert [u.pk for u in notifications.reminder_readers(pid)] == [sophie.pk]
    two_months = BORN.replace(month=BORN.month + 2)
    notifications.daily(START)
    assert not Message.objects.filter(patient_id=pid).exists()  # nothing due yet
    clock.set(two_months, JOB_AT)
    assert notifications.daily(two_months)["relatives"] >= 2
    assert Message.objects.filter(user=sophie, event="relative_reminder").exists()
    assert not Message.objects.filter(user=marc, patient_id=pid).exists()


def test_a_record_with_its_own_account_tells_only_its_owner(clock):
    henri, sophie = citizen("Henri Marty", language="fr"), citizen("Sophie Esquirol", language="fr")
    from carnet.accounts import services as accounts

    pid = accounts.patient_of(henri).pk
    proxies.add_proxy(Actor.of_user(henri), pid, sophie.pk, permissions=["read"])
    assert notifications.reminder_readers(pid) == []
    assert notifications.notify_relatives_due(pid, START) == 0


def test_a_first_name_that_is_not_a_plain_name_is_not_sent():
    class Snap:
        def __init__(self, given):
            self.patient = {"name": [{"given": [given], "family": "Esquirol"}]}

    assert notifications.first_name(Snap("Léo")) == "Léo"
    assert notifications.first_name(Snap("Anne-Sophie")) == "Anne-Sophie"
    for odd in ("Léo (prématuré)", "L3o", "", "x" * 60):
        assert notifications.first_name(Snap(odd)) == ""
    assert events.render("relative_reminder_unnamed", "sms", {}, "fr")["text"].endswith(
        "/mes-proches/"
    )
