"""A date entered without a time reads as that same day on every page, in every time zone.

A child entered as born on 15 June 2010 read « né le 14 juin 2010 » on the parent's card:
the birthday was rebuilt from the end of the parent's authority (an instant at midnight,
Paris time, stored in UTC). A date-only FHIR value (a birth date, the day of a vaccine or
of the start of an illness) names a day, not an instant: it never goes through a time
zone, whatever the server's TIME_ZONE, from Kiritimati (UTC+14) to Adak (UTC−10).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from unittest import mock

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carnet.access import services as access
from carnet.access.models import Proxy
from carnet.access.services import Action, Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import dates, fhir
from carnet.reminders import record, services

from .bundles import ATC, SNOMED, Bundle, person
from .fuzzing import examples
from .helpers import Clock, citizen

# The extremes of the world's clocks, and France.
ZONES = ["Pacific/Kiritimati", "America/Adak", "Europe/Paris", "UTC"]
_emails = itertools.count()
# The parent's "today" is frozen, so that the ``ci`` profile draws the same children every day.
TODAY = dt.date(2026, 6, 15)


def words(day: dt.date, fmt: str = "j F Y") -> str:
    """The day as an English page writes it (a ``date``: no time zone involved)."""
    with translation.override("en"):
        return dateformat.format(day, fmt)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def minors() -> st.SearchStrategy[dt.date]:
    """A birth date a parent may enter on TODAY: a child between a few days and 17 years old."""
    return st.dates(
        min_value=TODAY.replace(year=TODAY.year - 17, day=1) + dt.timedelta(days=40),
        max_value=TODAY - dt.timedelta(days=3),
    )


@hypothesis_settings(
    max_examples=examples(8),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(born=minors(), entered_in=st.sampled_from(ZONES), shown_in=st.sampled_from(ZONES))
@example(born=dt.date(2010, 6, 15), entered_in="Europe/Paris", shown_in="Europe/Paris")  # the issue
def test_a_childs_birth_date_reads_the_same_day_on_the_parents_card(born, entered_in, shown_in, db):
    clock = Clock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC), dt.UTC)
    with mock.patch("django.utils.timezone.now", clock):
        _enter_and_read(born, entered_in, shown_in)


def _enter_and_read(born: dt.date, entered_in: str, shown_in: str) -> None:
    parent = citizen(f"parent{next(_emails)}@example.org")
    client = english(Client())
    client.force_login(parent)
    with override_settings(TIME_ZONE=entered_in):
        done = client.post(
            reverse("coffre:child_add"),
            {
                "given": "Lucas",
                "family": "Esquirol",
                "birth_date": born.isoformat(),
                "parent": "on",
            },
        )
        assert done.status_code == 302, done.content.decode()
    child = Proxy.objects.filter(proxy_id=parent.pk, basis="parent").latest("id").patient_id
    with override_settings(TIME_ZONE=shown_in):
        card = client.get(reverse("coffre:spaces")).content.decode()
        assert f"Your child, born on {words(born)}." in card, (born, entered_in, shown_in)
        client.post(reverse("coffre:act_for", args=[child]))
        page = client.get(reverse("reminders:vaccinations")).content.decode()
        assert f"to the birth date ({words(born)})" in page


def _shown_days(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)">', html)


@hypothesis_settings(
    max_examples=examples(8),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    born=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
    vaccinated=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2025, 12, 31)),
    ill_since=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2025, 12, 31)),
    shown_in=st.sampled_from(ZONES),
)
def test_the_record_shows_each_day_as_entered(born, vaccinated, ill_since, shown_in, db):
    b = Bundle(born)
    b.vaccine(vaccinated, "J07BB02", ATC)  # influenza
    b.condition(ill_since, "44054006", SNOMED)  # type 2 diabetes
    owner, _pid = person(f"owner{next(_emails)}@example.org", b)
    client = english(Client())
    client.force_login(owner)
    with override_settings(TIME_ZONE=shown_in):
        timeline = client.get(reverse("records:timeline")).content.decode()
        rows = re.findall(r'<li class="tl-row">(.*?)</li>', timeline, re.S)
        for day in (vaccinated, ill_since):
            assert any(
                f'<time datetime="{day.isoformat()}">{words(day)}</time>' in r for r in rows
            ), (day, shown_in, _shown_days(timeline))
        for link in re.findall(r'href="(/dossier/element/[^/]+/)"', timeline):
            item = client.get(link).content.decode()
            [when] = re.findall(r'<p class="item-when">(.*?)</p>', item, re.S)
            assert words(vaccinated) in when or words(ill_since) in when, (when, shown_in)
        summary = client.get(reverse("records:summary")).content.decode()
        assert words(born) in summary and words(vaccinated) in summary
        card = client.get(reverse("records:card")).content.decode()
        assert f"born {words(born, 'j N Y')}" in card
        vaccines = client.get(reverse("reminders:vaccinations")).content.decode()
        assert f"to the birth date ({words(born)})" in vaccines
        assert words(vaccinated) in vaccines


_due = itertools.count()


@hypothesis_settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    born=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2025, 6, 30)),
    zone=st.sampled_from(ZONES),
)
def test_reminders_fall_due_on_the_days_the_birth_date_gives_in_every_zone(born, zone, db):
    """The engine's due dates are the same in every zone as in UTC (where no shift can hide)."""
    owner = citizen(f"due-{next(_due)}@example.org")
    pid = accounts.patient_of(owner).pk
    permit = access.require(Actor.of_user(owner), pid, Action.READ, Purpose.SELF, what="test")
    snap = record.Snapshot(
        pid,
        [{"resourceType": "Patient", "birthDate": born.isoformat(), "gender": "female"}],
        permit,
    )
    on = born + dt.timedelta(days=400)

    def due_dates() -> list:
        overview = services.compute(snap, on)
        return sorted((r.key, r.due, r.until) for r in overview.reminders)

    with override_settings(TIME_ZONE="UTC"):
        assert snap.birth_date == born
        in_utc = due_dates()
    with override_settings(TIME_ZONE=zone):
        assert snap.birth_date == born, zone
        assert due_dates() == in_utc, zone


@given(day=st.dates(), zone=st.sampled_from(ZONES))
@hypothesis_settings(max_examples=examples(50))
def test_a_date_only_value_is_read_as_its_day(day, zone):
    text = day.isoformat()
    with timezone.override(zone):
        assert dates.day(text) == day
        assert dates.shown(text) == day and type(dates.shown(text)) is dt.date
        assert dates.day(text[:7]) == day.replace(day=1)
        assert dates.day(text[:4]) == day.replace(month=1, day=1)
        resource = {"resourceType": "Immunization", "occurrenceDateTime": text}
        assert fhir.clinical_date_precision(resource) == "day"
