"""Anyone reads the weekly epidemic watch: noisy counts by département, small ones hidden."""

from datetime import date

from django.urls import reverse

from carnet.research import ledger, watch
from carnet.research.minimal import iso_week
from carnet.research.models import LedgerEntry, WatchRelease

from . import people
from .research import FLU, synthetic

TODAY = date(2026, 12, 9)  # a Wednesday: the last finished week ends on Sunday 6 December


def test_finished_weeks_end_on_sundays():
    weeks = watch.finished_weeks(TODAY, 2)
    assert weeks == [date(2026, 12, 6), date(2026, 11, 29)]
    assert watch.finished_weeks(date(2026, 12, 6), 1) == [date(2026, 11, 29)]


def test_the_watch_shows_large_groups_only_and_releases_each_week_once(client):
    week = iso_week(date(2026, 12, 6))
    synthetic([("40-49", "female", "31", week)] * 60 + [("20-29", "male", "81", week)] * 4)
    synthetic([("40-49", "female", "32", week)] * 60, on=False)  # did not choose: never counts
    assert watch.page(TODAY)[0]["signals"][0]["missing"]  # reading computes nothing
    assert watch.publish(TODAY) == len(watch.SIGNALS) * watch.WEEKS_SHOWN
    first = watch.page(TODAY)
    flu = next(r for r in first[0]["signals"] if r["signal"].key == "flu")
    assert [c["departement"] for c in flu["shown"]] == ["31"]
    assert abs(flu["shown"][0]["count"] - 60) <= 4 * flu["margin"]
    n = LedgerEntry.objects.filter(researcher_id=ledger.WATCH).count()
    assert n == len(watch.SIGNALS) * watch.WEEKS_SHOWN
    assert watch.publish(TODAY) == 0  # again: nothing new is released or spent
    assert LedgerEntry.objects.filter(researcher_id=ledger.WATCH).count() == n
    assert WatchRelease.objects.count() == n and ledger.verify(ledger.WATCH) == []


def test_the_page_is_public_and_states_the_noise(client):
    people.english(client)
    html = client.get(reverse("research:watch")).content.decode()
    assert "Epidemic watch" in html and "ε = 0.25" in html
    assert FLU  # the flu signal's code is the one researchers use
