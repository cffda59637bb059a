"""Reminders that apply and agree, on the demo people.

- Karim, a 59-year-old man, is not offered a pregnancy follow-up, and cannot start one.
- Léa's prenatal interview reads the same date on home, the reminders page and the
  follow-up page (one sentence, ``Reminder.when``).
- Sophie's one expired prescription gives one reminder, not a renewal alert and a
  list-review prompt.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from carnet.access.services import Actor
from carnet.accounts.models import User
from carnet.accounts.services import patient_of
from carnet.demo import personas
from carnet.reminders import services
from carnet.reminders.base import Reminder
from carnet.reminders.models import Enrolment


@pytest.fixture
def demo():
    call_command("demo", stdout=io.StringIO())


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _user(account) -> User:
    return User.objects.get(email=account.email)


def test_karim_is_not_offered_a_pregnancy_follow_up(client, demo):
    karim = _user(personas.DIABETIC)
    body = _page(client, karim, "/rappels/suivis/")
    assert "Suivi du diabète de type 2" in body  # his own, from his record
    assert "Suivi de grossesse" not in body
    pid = patient_of(karim).pk
    before = Enrolment.objects.filter(patient_id=pid).count()
    response = client.post(
        "/rappels/suivis/", {"action": "start", "programme": "pregnancy", "start": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "ne concerne pas" in html.unescape(response.content.decode())
    assert Enrolment.objects.filter(patient_id=pid).count() == before
    # Léa, a woman of 31, is offered it (she follows it already); Sophie, 54, may start it.
    assert "Suivi de grossesse" in _page(client, _user(personas.DAUGHTER), "/rappels/suivis/")


def test_lea_reads_one_date_for_her_prenatal_interview_on_every_page(client, demo):
    lea = _user(personas.PREGNANT)
    ov = services.overview(Actor.of_user(lea), patient_of(lea).pk)
    [interview] = [r for r in ov.reminders if r.rule.endswith("/interview")]
    assert interview.status in ("due", "overdue") and interview.until != interview.due
    sentence = interview.when
    assert sentence
    shown_due = f"{interview.due.day} {_month(interview.due)} {interview.due.year}"
    assert interview.day == interview.until  # "to do before": the date of every page
    agenda = f"/rappels/agenda/?vue=jour&date={interview.day.isoformat()}"
    for url in ("/", "/rappels/", "/rappels/suivis/", agenda):
        body = _page(client, lea, url)
        assert interview.title in body or interview.heading in body, url
        assert sentence in body, url
        assert shown_due not in body, url  # the start of its window, never shown as its date


def _month(day) -> str:
    from django.utils.formats import date_format

    return date_format(day, "F")


def test_sophie_gets_one_reminder_for_one_expired_prescription(client, demo):
    sophie = _user(personas.DAUGHTER)
    ov = services.overview(Actor.of_user(sophie), patient_of(sophie).pk)
    ended = [t for t in ov.treatments if t.end and t.end < ov.on]
    assert len(ended) == 1
    about = [r for r in ov.reminders if r.kind == "renewal"]
    assert [r.extra["request"] for r in about] == [ended[0].id]
    stale = [r for r in ov.reminders if r.kind == "stale" and r.extra["topic"] == "medications"]
    assert not stale
    for url in ("/", "/rappels/"):
        body = _page(client, sophie, url)
        assert body.count("demandez son renouvellement") == 1, url
        assert "dépassé sa date de fin" not in body, url


def test_booking_the_prenatal_interview_ticks_it_and_cancelling_brings_it_back(client, demo):
    from django.utils import timezone

    from carnet.care import appointments

    lea = _user(personas.PREGNANT)
    pid = patient_of(lea).pk
    midwife = _user(next(a for a in personas.ACCOUNTS if a.key == "midwife"))
    me = Actor.of_user(lea)
    [interview] = [r for r in services.overview(me, pid).reminders if r.rule.endswith("/interview")]
    assert interview.status in ("due", "overdue")
    _schedule, types = appointments.schedule_of(midwife.pk)
    kind = next(t for t in types if t.label == "Entretien prénatal précoce")
    free = appointments.free_slots(midwife.pk, kind.pk, days=14)
    start = free[min(free)][0]
    booked = appointments.book(me, pid, midwife.pk, kind.pk, start)
    day = timezone.localtime(start).date()
    [interview] = [r for r in services.overview(me, pid).reminders if r.rule.endswith("/interview")]
    assert interview.status == "done" and interview.booked_on == day
    assert interview.when.startswith("Rendez-vous pris pour le")
    for url in ("/rappels/", "/rappels/suivis/"):
        assert interview.when in _page(client, lea, url), url
    home = _page(client, lea, "/")
    todo = home.split('id="h-todo"', 1)[1].split("</section>", 1)[0]
    assert interview.heading not in todo
    appointments.cancel(me, booked.pk)
    [interview] = [r for r in services.overview(me, pid).reminders if r.rule.endswith("/interview")]
    assert interview.status in ("due", "overdue") and interview.booked_on is None


@pytest.mark.no_db
@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["vaccination", "programme", "renewal", "stale"]),
    status=st.sampled_from(["done", "upcoming", "due", "overdue"]),
    due=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    until=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1))),
    done_on=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1))),
    booked_on=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1))),
)
def test_the_sentence_of_a_reminder_gives_its_one_date(
    kind, status, due, until, done_on, booked_on
):
    from django.utils.formats import date_format

    r = Reminder(
        kind=kind, rule="r", key="k", title="T", why="w", source="s", version="1",
        due=due, status=status, until=until, done_on=done_on, booked_on=booked_on,
    )  # fmt: skip
    dates = {d for d in (due, until, done_on, booked_on) if d}
    shown = {d for d in dates if date_format(d, "j F Y") in r.when}
    assert shown <= {r.day}, (r.when, r.day)


def test_karims_asked_renewal_is_no_longer_to_do(client, demo):
    karim = _user(personas.DIABETIC)
    pid = patient_of(karim).pk
    ov = services.overview(Actor.of_user(karim), pid)
    by_name = {r.title: r for r in ov.reminders if r.kind == "renewal"}
    metformin = next(r for name, r in by_name.items() if "Metformine" in name)
    assert metformin.status == "done" and metformin.done_on is not None
    assert "renouvellement demandé le" in metformin.when
    others = [r for name, r in by_name.items() if "Metformine" not in name]
    assert others and all(r.status != "done" for r in others)  # not asked: still to do
    body = _page(client, karim, "/rappels/traitements/")
    assert metformin.when in body


def test_karims_home_with_a_booked_appointment_is_still_one_audited_read(client, demo):
    from carnet.access.models import AuditEntry
    from carnet.care.models import Appointment

    karim = _user(personas.DIABETIC)
    pid = patient_of(karim).pk
    assert Appointment.objects.filter(patient_id=pid).exists()  # the demo books one
    client.force_login(karim)
    before = AuditEntry.objects.filter(patient_id=pid).count()
    assert client.get("/").status_code == 200
    entries = list(AuditEntry.objects.filter(patient_id=pid).order_by("seq")[before:])
    assert [(e.action, e.decision) for e in entries] == [("read", "permit")]
