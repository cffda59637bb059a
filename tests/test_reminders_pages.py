"""Every reminders page through Django's test client, and the person's choices on them."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import include, path
from django.utils import timezone

import carnet.urls
from carnet.reminders import rules

from .bundles import SNOMED, Bundle, person
from .people import practitioner_account

# Until carnet/urls.py includes the app, the pages are mounted here (before the API's catch-all).
if any(getattr(p, "namespace", None) == "reminders" for p in carnet.urls.urlpatterns):
    urlpatterns = carnet.urls.urlpatterns
else:
    urlpatterns = [
        *carnet.urls.urlpatterns[:-1],
        path("", include("carnet.reminders.urls")),
        carnet.urls.urlpatterns[-1],
    ]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def karim(client):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=59 * 365), "male")
    b.condition(today - dt.timedelta(days=6 * 365), "44054006", SNOMED)
    b.observation(
        today - dt.timedelta(days=150), "4548-4", valueQuantity={"value": 7.1, "unit": "%"}
    )
    b.medication(
        today - dt.timedelta(days=60), "Metformine 1000 mg",
        {"frequency": 2, "period": 1, "periodUnit": "d"}, end=today + dt.timedelta(days=10),
    )  # fmt: skip
    user, pid = person("karim@example.org", b)
    client.force_login(user)
    return user, pid


def test_it_shows_every_reminder_with_why(client, karim):
    r = client.get("/rappels/")
    body = r.content.decode()
    assert r.status_code == 200
    main = body.split("<main", 1)[1]
    # Plain words first, the medical name kept, then why in one sentence and its source.
    assert "Une prise de sang\u00a0: votre sucre moyen des 3 derniers mois" in main
    assert "Nom médical\u00a0: HbA1c tous les 3 mois" in main
    assert "Recommandé quand on a un diabète de type 2" in main
    assert "Source\u00a0: HAS, guide du parcours de soins diabète de type 2" in main
    assert "Suivi du diabète de type 2 (HAS" not in main  # the title is not repeated as the why
    # The renewal says what to do and before when.
    ends = timezone.localdate() + dt.timedelta(days=10)
    assert f"Metformine 1000 mg\u00a0: renouvelez l’ordonnance avant le {ends.day} " in main
    assert "<script" not in body.split("<main", 1)[1].split("</main>", 1)[0]  # works without JS


def test_it_shows_what_is_late_before_what_comes_later(client):
    today = timezone.localdate()
    b = Bundle(today - dt.timedelta(days=44 * 365 + 200), "male")  # dTP booster at 45: later
    b.condition(today - dt.timedelta(days=6 * 365), "44054006", SNOMED)  # diabetes: all late
    user, _pid = person("late@example.org", b)
    client.force_login(user)
    main = client.get("/rappels/").content.decode().split("<main", 1)[1]
    late = main.index('id="rm-overdue"')
    albumin = main.index("Une analyse d’urine pour vérifier vos reins")
    later = main.index('id="rm-later"')
    booster = main.index("Rappel du vaccin contre la diphtérie, le tétanos et la polio")
    assert late < albumin < later < booster
    assert "En retard depuis le " in main and "À faire à partir du " in main
    assert "Nom médical\u00a0: dTP — rappel dTP à 45 ans" in main
    # What comes later is folded under a count, the first screen shows what to do.
    assert '<details class="rm-fold">' in main[later:]
    assert "Plus tard" in main and "(1)" in main[later : later + 200]


def _labels(value):
    """Every {"fr": …, "en": …} label of a data file (the words a person reads)."""
    if isinstance(value, dict):
        if isinstance(value.get("fr"), str):
            yield value
        else:
            for v in value.values():
                yield from _labels(v)
    elif isinstance(value, list):
        for v in value:
            yield from _labels(v)


def test_the_calendar_and_programmes_speak_every_language_of_the_pages():
    found = [
        x for data in (rules.calendar(), rules.programmes(), rules.codes()) for x in _labels(data)
    ]
    assert len(found) > 150
    for label in found:
        assert all(label.get(la, "").strip() for la, _name in settings.LANGUAGES), label
        assert label["es"] != label["fr"] or len(label["fr"]) < 12, label


def test_the_reminders_read_in_spanish_and_arabic(client, karim):
    for language, plain, why in (
        ("es", "Un análisis de sangre: su azúcar medio de los últimos 3 meses", "diabetes tipo 2"),
        ("ar", "متوسط السكر لديك خلال الأشهر الثلاثة الأخيرة", "سكري من النوع الثاني"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        main = client.get("/rappels/").content.decode().split("<main", 1)[1]
        assert plain in main and why in main, language
        assert "Une prise de sang" not in main


def test_it_snoozes_and_turns_off_a_reminder(client, karim):
    from carnet.access.services import Actor
    from carnet.reminders import services

    user, pid = karim
    ov = services.overview(Actor.of_user(user), pid)
    hba1c = next(r for r in ov.reminders if "hba1c" in r.rule)
    r = client.post("/rappels/choix/", {"action": "snooze7", "key": hba1c.key})
    assert r.status_code == 302
    ov = services.overview(Actor.of_user(user), pid)
    assert hba1c.key not in {r.key for r in ov.pressing}
    client.post("/rappels/choix/", {"action": "off", "key": hba1c.key})
    again = next(
        r for r in services.overview(Actor.of_user(user), pid).reminders if r.key == hba1c.key
    )
    assert again.off
    r = client.post("/rappels/choix/", {"action": "nonsense", "key": hba1c.key}, follow=True)
    assert "possible" in r.content.decode()


def test_it_marks_an_intake_taken_in_one_tap(client, karim):
    r = client.get("/rappels/traitements/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Metformine 1000 mg" in body and "08:00" in body and "20:00" in body
    from carnet.access.services import Actor
    from carnet.reminders import services

    user, pid = karim
    ov = services.overview(Actor.of_user(user), pid)
    at = services.day_schedule(ov, ov.on)[0]["at"]
    r = client.post(
        "/rappels/traitements/prise/",
        {"request": ov.treatments[0].id, "at": at.isoformat(), "status": "taken"},
    )
    assert r.status_code == 302
    assert services.day_schedule(ov, ov.on)[0]["status"] == "taken"
    # A time that is not in the schedule changes nothing.
    client.post(
        "/rappels/traitements/prise/",
        {"request": ov.treatments[0].id, "at": (at + dt.timedelta(minutes=7)).isoformat(), "status": "taken"},
    )  # fmt: skip
    from carnet.reminders.models import Intake

    assert Intake.objects.filter(patient_id=pid).count() == 1


def test_it_starts_a_pregnancy_follow_up(client):
    # A woman of 31 may start one (a 59-year-old man is not offered it:
    # test_reminders_apply_and_agree.py).
    user, _pid = person("lea@example.org", Bundle(dt.date(1995, 6, 1), "female"))
    client.force_login(user)
    r = client.get("/rappels/suivis/")
    assert r.status_code == 200 and "Suivi de grossesse" in r.content.decode()
    start = timezone.localdate() - dt.timedelta(weeks=10)
    r = client.post(
        "/rappels/suivis/",
        {"action": "start", "programme": "pregnancy", "start": start.isoformat()},
    )
    assert r.status_code == 302
    body = client.get("/rappels/suivis/").content.decode()
    assert "Suivi de grossesse" in body and "1re échographie" in body
    bad = client.post(
        "/rappels/suivis/", {"action": "start", "programme": "pregnancy", "start": "2999-01-01"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("vue", ["jour", "semaine", "liste"])
def test_it_shows_the_agenda(client, karim, vue):
    r = client.get(f"/rappels/agenda/?vue={vue}")
    assert r.status_code == 200
    if vue != "liste":
        assert "Metformine 1000 mg" in r.content.decode()


def test_it_adds_an_agenda_entry(client, karim):
    day = timezone.localdate() + dt.timedelta(days=3)
    r = client.post(
        "/rappels/agenda/ajouter/", {"title": "Podologue", "date": day.isoformat(), "time": "14:30"}
    )
    assert r.status_code == 302
    body = client.get(f"/rappels/agenda/?vue=jour&date={day.isoformat()}").content.decode()
    assert "Podologue" in body and "14:30" in body
    from carnet.reminders.models import AgendaEntry

    assert b"Podologue" not in bytes(AgendaEntry.objects.get().payload)


def test_it_gives_a_private_feed_address_once(client, karim):
    r = client.get("/rappels/calendrier/")
    assert r.status_code == 200
    r = client.post("/rappels/calendrier/", {"action": "reset"})
    url = r.context["new_url"]
    assert "/rappels/calendrier/" in url and url.endswith(".ics")
    client.logout()
    feed = client.get(url.split("localhost:8000", 1)[-1])
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert b"SUMMARY:Rappel Carnet" in feed.content
    assert b"HbA1c" not in feed.content and b"Metformine" not in feed.content
    assert client.get("/rappels/calendrier/not-the-secret.ics").status_code == 404


def test_it_refuses_strangers(client):
    assert client.get("/rappels/").status_code == 302  # to the sign-in page

    pro = practitioner_account(
        "doc@example.org", "a long enough passphrase", role="practitioner", rpps="10999990012"
    )
    client.force_login(pro)
    assert client.get("/rappels/").status_code == 404
