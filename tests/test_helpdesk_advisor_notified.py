"""Advisors are told there is a new question, at most once each per hour, with nothing of it."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.urls import reverse

from carnet.helpdesk import services as helpdesk
from carnet.notify import events
from carnet.notify.models import Message, Notification

from .helpdesk import ask
from .people import advisor, citizen, pro

SITE = "https://carnet.example.org"
PARIS = ZoneInfo("Europe/Paris")


def _told(user):
    return Message.objects.filter(user=user, event="help_question")


def test_each_advisor_is_told_once_an_hour_whatever_the_number_of_questions(settings):
    settings.CARNET_SITE_URL = SITE
    elodie, samir = advisor("Élodie Lalande"), advisor("Samir Daoud")
    karim, lucie, doctor = citizen("Karim Haddad"), citizen("Lucie Purpan"), pro("Dr Claire Martin")
    at = dt.datetime(2026, 10, 5, 9, 10, tzinfo=PARIS)
    with mock.patch("django.utils.timezone.now", lambda: at):
        ask(karim, "Mon traitement pour le VIH", "Je ne vois pas mon ordonnance de Truvada")
    assert {m.channel for m in _told(elodie)} == {"in_app", "email"}
    assert _told(samir).count() == 2
    for m in Message.objects.filter(event="help_question"):
        for lang in events.LANGUAGES:
            for channel in ("email", "sms", "push"):
                blob = str(events.render(m.event, channel, m.params, lang))
                for word in ("VIH", "Truvada", "ordonnance", "traitement", "Karim", "Haddad"):
                    assert word not in blob, (word, channel, lang)
                assert SITE + reverse("helpdesk:advisor_inbox") in blob
    [note] = Notification.objects.filter(user=elodie)
    assert note.url == SITE + "/aide/conseil/"

    # Two more questions within the hour: nothing more for anyone.
    for minutes, who in ((25, lucie), (59, doctor)):
        with mock.patch(
            "django.utils.timezone.now", lambda m=minutes: at.replace(minute=m, second=59)
        ):
            ask(who)
    assert _told(elodie).count() == 2 and _told(samir).count() == 2

    # The next hour, a new question is news again: once more each.
    with mock.patch("django.utils.timezone.now", lambda: at + dt.timedelta(hours=1)):
        helpdesk.ask(citizen("Henri Marty"), "Mot de passe", "Je l'ai oublié")
    assert _told(elodie).count() == 4 and _told(samir).count() == 4
    assert helpdesk.waiting_count() == 4  # the inbox lists every question


def test_nobody_but_active_advisors_is_told_and_a_reply_tells_nobody():
    person, doctor = citizen(), pro("Dr Claire Martin")
    active, closed = advisor("Élodie Lalande"), advisor("Ancien Conseiller")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    at = dt.datetime(2026, 10, 5, 9, 10, tzinfo=PARIS)
    with mock.patch("django.utils.timezone.now", lambda: at):
        req = ask(person)
    with mock.patch("django.utils.timezone.now", lambda: at + dt.timedelta(hours=2)):
        helpdesk.reply(person, req.pk, "Précision")
    assert _told(active).count() == 2  # in-app and email, for the question only
    assert not _told(closed).exists()
    assert not Message.objects.filter(user__in=[person, doctor]).exists()
