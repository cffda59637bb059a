"""The home page's « À faire »: each to-do says what to do and when, with the right date."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .bundles import SNOMED, Bundle, person


def _todo(html: str) -> str:
    match = re.search(r'aria-labelledby="h-todo">(.*?)</section>', html, re.S)
    assert match
    return match.group(1)


def test_each_to_do_says_what_to_do_and_when(client):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=30 * 365), "male")
    ends = today + dt.timedelta(days=10)
    b.medication(
        today - dt.timedelta(days=60), "Metformine 1000 mg",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, end=ends,
    )  # fmt: skip
    user, _pid = person("renews@example.org", b)
    client.force_login(user)
    todo = _todo(client.get(reverse("home")).content.decode())
    # A medicine to renew comes with a verb and the day it runs out.
    assert (
        f"Metformine 1000 mg\u00a0: renouvelez l’ordonnance avant le {date_format(ends, 'j F Y')}."
        in todo
    )

    b = Bundle(today - dt.timedelta(days=59 * 365), "male")
    b.condition(today - dt.timedelta(days=6 * 365), "44054006", SNOMED)  # diabetes: all late
    user, _pid = person("late@example.org", b)
    client.force_login(user)
    todo = _todo(client.get(reverse("home")).content.decode())
    # A late step says since when it is late (the end of its window), in plain words.
    assert "En retard depuis le " in todo
    late = today - dt.timedelta(days=6 * 365) + dt.timedelta(weeks=60)  # lipids: 60 weeks
    assert (
        'Une prise de sang pour mesurer votre cholestérol</span> <span class="home-when">'
        f"En retard depuis le {date_format(late, 'j F Y')}." in todo
    )
    # Never « since » today, and no bare date without a verb.
    assert "depuis le " + date_format(today, "j F Y") not in todo
    assert "depuis " + date_format(today, "j N Y") not in todo
    assert re.search(r"</span> <span class=\"home-when\">\d", todo) is None
