"""Treatments, follow-up steps, stale-data prompts, the weekly digest, the feed and the command."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from carnet.access.services import Actor
from carnet.reminders import ical, notifications, services, treatments
from carnet.reminders.record import Snapshot

from .bundles import SNOMED, Bundle, person


def _med(repeat, text=""):
    return treatments.active(
        Snapshot(1, [{"resourceType": "MedicationRequest", "id": "m", "status": "active",
                      "intent": "order", "medicationCodeableConcept": {"text": "X"},
                      "dosageInstruction": [{"text": text, "timing": {"repeat": repeat}}]}])
    )[0]  # fmt: skip


@pytest.mark.parametrize(
    "repeat, text, times",
    [
        ({"frequency": 2, "period": 1, "periodUnit": "d"}, "", ["08:00", "20:00"]),
        ({"frequency": 1, "period": 1, "periodUnit": "d"}, "1 comprimé le soir", ["20:00"]),
        ({"when": ["MORN", "EVE"]}, "", ["08:00", "19:00"]),
        ({"timeOfDay": ["07:30:00", "21:00:00"]}, "", ["07:30", "21:00"]),
        (
            {"frequency": 1, "period": 6, "periodUnit": "h"},
            "",
            ["08:00", "14:00", "20:00", "02:00"],
        ),
    ],
)
def test_it_builds_the_daily_schedule_from_the_dosage(repeat, text, times):
    t = _med(repeat, text)
    assert sorted(x.strftime("%H:%M") for x in t.times) == sorted(times)


def test_it_alerts_before_a_prescription_runs_out():
    start = dt.date(2025, 1, 1)
    t = treatments.Treatment("m", "X", "", start=start, end=dt.date(2025, 3, 31))
    (r,) = treatments.renewals([t], dt.date(2025, 3, 20))
    assert r.status == "due" and r.due == dt.date(2025, 3, 17)
    (r,) = treatments.renewals([t], dt.date(2025, 3, 1))
    assert r.status == "upcoming"


def test_supply_duration_counts_repeats():
    b = Bundle(dt.date(1970, 1, 1), "male")
    b.medication(dt.date(2025, 1, 1), "Y", {"frequency": 1, "period": 1, "periodUnit": "d"},
                 supply_days=30, repeats=2)  # fmt: skip
    (t,) = treatments.active(Snapshot(1, [e["resource"] | {"id": "y"} for e in b.entries]))
    assert t.end == dt.date(2025, 4, 1)


def test_a_diabetes_step_is_done_when_its_result_appears():
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=60 * 365), "male")
    b.condition(today - dt.timedelta(days=3 * 365), "44054006", SNOMED)
    b.observation(today - dt.timedelta(days=30), "4548-4")
    user, pid = person("dm@example.org", b)
    ov = services.overview(Actor.of_user(user), pid)
    hba1c = next(r for r in ov.of_kind("programme") if r.rule.endswith("/hba1c"))
    assert hba1c.status == "upcoming" and hba1c.due == today + dt.timedelta(days=61)
    eye = next(r for r in ov.of_kind("programme") if r.rule.endswith("/eye"))
    assert eye.status == "overdue"


def test_stale_prompts_come_as_one_digest_a_week(mailoutbox):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=40 * 365), "female")
    b.observation(
        today - dt.timedelta(days=400), "29463-7", valueQuantity={"value": 60, "unit": "kg"}
    )
    user, pid = person("stale@example.org", b)
    ov = services.overview(Actor.of_user(user), pid)
    topics = {r.extra["topic"] for r in ov.of_kind("stale")}
    assert {"weight", "blood-pressure", "allergies"} <= topics
    from carnet.notify.models import Message

    assert notifications.notify_stale(pid, today)
    assert not notifications.notify_stale(pid, today + dt.timedelta(days=3))
    assert notifications.notify_stale(pid, today + dt.timedelta(days=7))
    assert Message.objects.filter(user_id=user.pk, channel="in_app").count() == 2
    services.confirm(Actor.of_user(user), pid, "weight")
    ov = services.overview(Actor.of_user(user), pid)
    assert "weight" not in {r.extra["topic"] for r in ov.of_kind("stale")}


def test_due_reminders_are_told_once():
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=70 * 365), "male")
    user, pid = person("once@example.org", b)
    assert notifications.notify_due(pid, today) > 0
    assert notifications.notify_due(pid, today) == 0
    from carnet.notify.models import Message

    assert Message.objects.filter(user_id=user.pk, event="new_reminder").count() >= 1


def test_the_feed_parses_with_icalendar_and_hides_details_by_default():
    icalendar = pytest.importorskip("icalendar")
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=70 * 365), "male")
    user, pid = person("feed@example.org", b)
    ov = services.overview(Actor.of_user(user), pid)
    services.add_entry(Actor.of_user(user), pid, timezone.now() + dt.timedelta(days=2), "Cardiologue, Dr X; bilan")  # fmt: skip
    for details in (False, True):
        body = ical.render(
            ov, show_details=details, base_url="https://c.example", agenda_path="/rappels/agenda/"
        )
        assert all(len(line) <= 75 for line in body.split(b"\r\n"))
        cal = icalendar.Calendar.from_ical(body)
        events = list(cal.walk("VEVENT"))
        assert events and len({str(e["UID"]) for e in events}) == len(events)
        titles = {str(e["SUMMARY"]) for e in events}
        if details:
            assert "Cardiologue, Dr X; bilan" in titles
        else:
            assert titles == {"Rappel Carnet"}


def test_reset_makes_the_old_address_stop():
    user, pid = person("reset@example.org", Bundle(dt.date(1980, 1, 1)))
    a = services.feed_reset(Actor.of_user(user), pid)
    b = services.feed_reset(Actor.of_user(user), pid)
    assert services.feed_for_secret(a) is None and services.feed_for_secret(b).patient_id == pid
    from carnet.reminders.models import Feed

    assert Feed.objects.get(patient_id=pid).digest not in (a, b)


def test_the_command_lists_reminders_as_of_a_date():
    user, pid = person("cli@example.org", Bundle(dt.date(2000, 3, 1)))
    out = StringIO()
    call_command(
        "reminders",
        "list",
        "--patient",
        "cli@example.org",
        "--on",
        "2025-06-01",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    first = next(r for r in data["reminders"] if r["rule"].endswith("/dtp-adult"))
    assert first["kind"] == "vaccination" and first["status"] == "due"
    assert first["rule"] == "calendrier-vaccinal-2025/dtp-adult" and first["due"] == "2025-03-01"
    assert first["source"].startswith("Ministère") and first["version"] == "2025"
    out = StringIO()
    call_command(
        "reminders", "list", "--patient", "cli@example.org", "--on", "2025-06-01", stdout=out
    )
    assert "calendrier-vaccinal-2025/dtp-adult" in out.getvalue()
