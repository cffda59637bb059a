"""Time travel: the demo people's reminders over four months, through the worker and SMTP.

A frozen clock (``django.utils.timezone.now`` patched) moves day by day from 1 September
2026 to early January 2027 (across the October 15 flu campaign, the October DST change and
Léa's due date). Each day at 07:00 the daily reminders job runs, then the real outbox
worker delivers to a loopback SMTP server at several times of day. What each person
receives is compared with what the rules data and their record say, day by day:
the right days, exactly once (running the job and the worker again sends nothing), and
nothing during quiet hours (Henri's mail waits for the end of his quiet hours).
"""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.demo import personas
from carnet.demo import services as demo
from carnet.notify import services as notify
from carnet.notify.models import Message, Status
from carnet.reminders import notifications, programmes, rules, services, stale
from carnet.reminders.base import DONE
from carnet.reminders.record import load, owner_actor

from .helpers import Clock
from .loopback import LoopbackSmtp

PARIS = ZoneInfo("Europe/Paris")
START = dt.date(2026, 9, 1)
END = dt.date(2027, 1, 5)
DAYS = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
JOB_AT = dt.time(7, 0)  # the crontab of reminders.tasks.daily_reminders
QUIET = (dt.time(20, 0), dt.time(9, 0))  # Henri's quiet hours, across midnight
# Worker passes each day: at the job, just before and at the end of Henri's quiet
# hours, the evening (inside them again).
PASSES = (dt.time(7, 0), dt.time(8, 59), dt.time(9, 0), dt.time(21, 0))
LMP_LOINC = "8665-2"


@pytest.fixture
def clock():
    c = Clock(dt.datetime.combine(START, JOB_AT, tzinfo=PARIS), PARIS)
    with mock.patch("django.utils.timezone.now", c):
        yield c


@pytest.fixture
def smtp(settings):
    server = LoopbackSmtp().start().use_in(settings)
    settings.CARNET_NOTIFY_KICK = False  # the worker is driven by the frozen clock below
    yield server
    server.stop()


def _season_start(rule_id: str, year: int) -> dt.date:
    rule = next(r for r in rules.calendar()["rules"] if r["id"] == rule_id)
    month, day = map(int, rule["season"]["start"].split("-"))
    return dt.date(year, month, day)


def _step(programme_id: str, step_id: str) -> dict:
    prog = programmes.by_id(programme_id)
    return next(s for s in prog["steps"] if s["id"] == step_id)


def _engine_days(snap, on: dt.date) -> set[dt.date]:
    """Days a reminder of the record becomes due (not stale prompts), from one computation."""
    ov = services.compute(snap, on)
    return {
        max(on, r.due)
        for r in ov.reminders
        if r.kind != "stale" and r.status != DONE and not r.off and r.due and r.due <= END
    }


def _digest_days(snap) -> set[dt.date]:
    """At most one stale-data digest every ``digest_every_days``, on days prompts exist."""
    every = dt.timedelta(days=stale.spec()["digest_every_days"])
    out, last = set(), None
    for day in DAYS:
        if stale.compute(snap, {}, day) and (last is None or day >= last + every):
            out.add(day)
            last = day
    return out


def _rule_days(key: str, snap) -> set[dt.date]:
    """A few days straight from the rules data and the record, as a check on the engine."""
    if key == "pregnant":
        lmp = next(
            dt.date.fromisoformat(o["valueDateTime"][:10])
            for o in snap.of("Observation")
            if any(c.get("code") == LMP_LOINC for c in o["code"]["coding"])
        )
        days = {lmp + dt.timedelta(weeks=_step("pregnancy", "exam-4")["from"])}
        due = _step("pregnancy", "due-date")
        days.add(lmp + dt.timedelta(weeks=due["at"], days=due["offset_days"]))
        days.add(_season_start("influenza-pregnancy", START.year))
        rsv = next(r for r in rules.calendar()["rules"] if r["id"] == "rsv-pregnancy")
        days.add(lmp + dt.timedelta(weeks=rsv["from_weeks"]))
        return days
    if key == "father":
        return {_season_start("influenza-65", START.year), _season_start("covid-65", START.year)}
    if key == "diabetic":
        # His last HbA1c is more than `every` weeks old: the reminder is due on day one.
        last = max(
            dt.date.fromisoformat(o["effectiveDateTime"][:10])
            for o in snap.of("Observation")
            if any(c.get("code") == "4548-4" for c in o["code"]["coding"])
        )
        assert last + dt.timedelta(weeks=_step("diabetes-t2", "hba1c")["every"]) <= START
        return {START}
    return set()


def test_each_persona_gets_the_right_reminders_on_the_right_days_once(clock, smtp):
    demo.load(START)
    # What the demo people did while loading (a booking, a message to the doctor) is told
    # at once, before the window: only the reminders are counted below.
    notify.send_due(now=clock.at)
    told_at_load = list(Message.objects.filter(channel="email").values_list("pk", flat=True))
    assert not Message.objects.filter(pk__in=told_at_load).exclude(status=Status.SENT).exists()
    people = {}
    for account in (personas.PREGNANT, personas.DIABETIC, personas.FATHER):
        user = User.objects.get(email=account.email)
        people[account.key] = (user, accounts.patient_of(user).pk)
    henri = people["father"][0]
    notify.update_preferences(henri, quiet_start=QUIET[0], quiet_end=QUIET[1])

    expected: dict[str, dict[dt.date, int]] = {}
    for key, (_user, pid) in people.items():
        snap = load(owner_actor(pid), pid)
        due_days, digests = _engine_days(snap, START), _digest_days(snap)
        from_rules = _rule_days(key, snap)
        assert from_rules <= due_days, (key, sorted(from_rules - due_days))
        expected[key] = {
            d: (d in due_days) + (d in digests) for d in DAYS if d in due_days or d in digests
        }
    # The window holds news after day one for each of them (not just a first burst).
    assert all(any(d > START for d in exp) for exp in expected.values())

    got: dict[str, dict[dt.date, int]] = {key: {} for key in people}
    by_email = {user.email: key for key, (user, _pid) in people.items()}
    seen = len(smtp.received)
    for day in DAYS:
        clock.set(day, JOB_AT)
        counts = notifications.daily()
        assert counts["errors"] == 0, (day, counts)
        for t in PASSES:
            notify.send_due(now=clock.set(day, t))
            for mail in smtp.received[seen:]:
                key = by_email.get(mail["to"][0])
                if key is None:
                    continue  # the other demo people
                quiet = key == "father"
                # No mail inside quiet hours: Henri's arrive when they end, the others' at once.
                assert t == (QUIET[1] if quiet else JOB_AT), (key, day, t)
                got[key][day] = got[key].get(day, 0) + 1
            seen = len(smtp.received)
        # The job and the worker again, the same day: nothing new for anyone.
        clock.set(day, dt.time(22, 0))
        again = notifications.daily()
        assert (again["reminders"], again["digests"], again["errors"]) == (0, 0, 0), (day, again)
        notify.send_due(now=clock.at)
        assert len(smtp.received) == seen, day

    for key in people:
        assert got[key] == expected[key], key
    # Exactly once: each message reached the server once; none is left queued.
    assert set(smtp.counts.values()) == {1}
    mine = Message.objects.filter(
        user__in=[u for u, _ in people.values()], channel="email"
    ).exclude(pk__in=told_at_load)
    assert not mine.exclude(status=Status.SENT).exists()
    assert mine.count() == sum(sum(v.values()) for v in expected.values())
    # The mails say only that there is a reminder (no health detail).
    for mail in smtp.received:
        assert "grippe" not in mail["text"].lower() and "grossesse" not in mail["text"].lower()
