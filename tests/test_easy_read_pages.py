"""« Facile à lire »: every page of the easy-read list has its easy-read version.

A citizen with a real record (a treatment, diabetes, a late blood test), a doctor she shares it
with who read it, and a stranger refused, turns easy-read on: each page of
``carnet.web.easy_read.PAGES`` renders its easy-read template (marked ``data-easy-read``), with
pictograms, large words, and the person's own data — the same the usual page shows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access import grants
from carnet.access.services import Actor, NotFound
from carnet.helpdesk import articles
from carnet.records import services as records
from carnet.web import easy_read

from .bundles import SNOMED, Bundle, person
from .people import practitioner

TODAY = timezone.localdate()


@pytest.fixture
def karim():
    b = Bundle(TODAY - dt.timedelta(days=59 * 365), "male", name=[{"family": "Benali"}])
    b.condition(TODAY - dt.timedelta(days=6 * 365), "44054006", SNOMED)
    b.observation(
        TODAY - dt.timedelta(days=150), "4548-4", valueQuantity={"value": 7.1, "unit": "%"}
    )
    b.medication(
        TODAY - dt.timedelta(days=60), "Metformine 1000 mg",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, end=TODAY + dt.timedelta(days=10),
    )  # fmt: skip
    user, pid = person("karim@example.org", b)
    doctor = practitioner("Claire Fabre", "médecin", "", language="fr")
    grants.share(Actor.of_user(user), pid, doctor.pk, categories=["treatments", "problems"])
    records.search(Actor.of_user(doctor), pid, "MedicationRequest", "treatment")
    stranger = practitioner("Paul Curieux", "médecin", "", language="fr")
    with pytest.raises(NotFound):
        records.search(Actor.of_user(stranger), pid, "MedicationRequest", "treatment")
    return user


def _shows(page: str) -> list[str]:
    """What each easy-read page must show of the person's real data."""
    return {
        "home": ["Metformine 1000 mg", "Claire Fabre", "Diabète"],
        "reminders:index": ["Metformine 1000 mg", "Une prise de sang"],
        "coffre:sharing": ["Claire Fabre", "traitements et ordonnances"],
        "coffre:history": ["Claire Fabre", "Paul Curieux", "Carnet a dit non"],
        "records:card": ["Metformine 1000 mg", "Benali"],
        "helpdesk:index": [str(articles.TOPICS[0].title), "3114"],
        "account_signup": ['name="email"', 'name="password1"', 'name="password2"'],
    }[page]


def _main(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200, body[:500]
    return body.split("<main", 1)[1].split("</main>", 1)[0]


def test_every_easy_read_page_shows_the_persons_data_simply(client, karim):
    karim.easy_read = True
    karim.save()
    client.force_login(karim)
    visitor = client.__class__()
    visitor.cookies[easy_read.COOKIE] = "1"
    for name in easy_read.PAGES:
        who = visitor if name == "account_signup" else client
        response = who.get(reverse(name))
        used = [t.name for t in response.templates]
        assert easy_read.easy_template(easy_read.PAGES[name]) in used, (name, used[:3])
        main = _main(response)
        assert "data-easy-read" in main, name
        assert main.count('class="picto"') >= 3, f"{name}: a pictogram beside each key idea"
        for data in _shows(name):
            assert data in main, f"{name}: {data!r} is missing\n{main}"
        # The « Écouter » button is there (hidden until its script finds speech synthesis).
        assert "data-read-aloud-button" in response.content.decode(), name


def test_the_usual_pages_stay_usual_when_easy_read_is_off(client, karim):
    client.force_login(karim)
    for name in easy_read.PAGES:
        if name == "account_signup":
            continue
        main = _main(client.get(reverse(name)))
        assert "data-easy-read" not in main, name


def test_the_easy_read_history_says_a_refusal_is_a_refusal(client, karim):
    karim.easy_read = True
    karim.save()
    client.force_login(karim)
    main = _main(client.get(reverse("coffre:history")))
    curieux = main.split("Paul Curieux", 1)[0].rsplit("<li", 1)[1]
    assert "refused" in curieux and "stop.svg" in curieux
    assert "Carnet a dit oui" in main.split("Claire Fabre", 1)[1].split("</li>", 1)[0]
