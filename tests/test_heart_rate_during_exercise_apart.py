"""A heart rate measured during a run is named so and charted apart from the others.

A person imports a watch's run (FIT: heart rate during the session) and an Apple Health
day (a heart rate over the day). The timeline names the run's value « Fréquence cardiaque
pendant l'effort », never plain « Fréquence cardiaque » as if at rest; the chart of a heart
rate holds only the values of its own context (the run's average never joins the day's).
"""

from __future__ import annotations

import html
import re

from django.urls import reverse

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services, words

from .helpers import DATA, citizen

FIT = DATA / "wearables" / "fit" / "tests" / "files"
RUN, WALK = FIT / "garmin-fenix-5-run.fit", FIT / "garmin-fenix-5-walk.fit"
DAY = DATA / "wearables" / "apple-health" / "export.xml"
EFFORT = "Fréquence cardiaque pendant l'effort"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _chart_values(page: str) -> list[str]:
    table = re.search(r'<table class="stack">(.*?)</table>', page, re.S)
    return re.findall(r'data-label="Valeur">(.*?)</td>', table[1]) if table else []


def test_a_run_heart_rate_is_named_and_charted_apart(client):
    user = citizen()
    pid = accounts.patient_of(user).pk
    actor = Actor.of_user(user)
    for path in (RUN, WALK, DAY):
        importers.import_file(actor, pid, path.read_bytes(), path.name, Purpose.SELF)
    client.force_login(user)
    rates = [
        r
        for r in services.search(actor, pid, "Observation", "self", count=100).resources
        if "8867-4" in str(r.get("code"))
    ]
    run = next(r for r in rates if words.heart_rate_context(r) == "effort")
    day = next(r for r in rates if words.heart_rate_context(r) != "effort")
    run_value, day_value = str(run["valueQuantity"]["value"]), str(day["valueQuantity"]["value"])
    assert run_value != day_value

    timeline = _text(client.get(reverse("records:timeline")).content.decode())
    assert f"{EFFORT} : {run_value}" in timeline
    assert f"Fréquence cardiaque : {run_value}" not in timeline
    assert f"Fréquence cardiaque : {day_value}" in timeline

    run_page = client.get(reverse("records:item", args=[run["id"]])).content.decode()
    assert EFFORT in _text(run_page)
    # The run's chart: the two sessions, under the name of their context.
    efforts = [r for r in rates if words.heart_rate_context(r) == "effort"]
    assert len(efforts) == 2 and len(_chart_values(run_page)) == 2
    assert f"{EFFORT} au fil du temps" in _text(run_page)
    for item, other in ((run, day_value), (day, run_value)):
        page = client.get(reverse("records:item", args=[item["id"]])).content.decode()
        assert not any(v.startswith(other + " ") for v in _chart_values(page)), item["id"]
