"""An advisor answers: the inbox puts unanswered questions first, the longest waiting
first; every answer is kept; the asker is told through the outbox."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from carnet.helpdesk import services as helpdesk
from carnet.helpdesk.models import HelpRequest, Status
from carnet.notify.models import Message

from .helpdesk import ask, thread_url
from .people import advisor, citizen, english, pro


def _age(req, days):
    then = timezone.now() - dt.timedelta(days=days)
    HelpRequest.objects.filter(pk=req.pk).update(
        created_at=then, waiting_since=then, last_message_at=then
    )


def test_the_inbox_shows_unanswered_first_and_the_longest_waiting_first(client):
    elodie = advisor()
    ask(citizen("Léa Fontaine"), "Récente")
    old = ask(citizen("Henri Marty"), "Ancienne")
    answered = ask(pro("Dr Nadia Bazacle"), "Déjà répondue")
    _age(old, 3)
    _age(answered, 5)
    helpdesk.answer(elodie, answered.pk, "Voici comment faire.")
    assert [t.subject for t in helpdesk.inbox(elodie)] == ["Ancienne", "Récente", "Déjà répondue"]
    english(client).force_login(elodie)
    html = client.get(reverse("helpdesk:advisor_inbox")).content.decode()
    assert html.index("Ancienne") < html.index("Récente") < html.index("Déjà répondue")
    assert "Waiting for an answer (2)" in html and "Henri Marty" in html
    assert "(health professional)" in html


def test_an_advisor_answers_and_the_asker_reads_it(client):
    elodie, person = advisor("Élodie Lalande"), citizen("Karim Haddad")
    req = ask(person, "Carte d'urgence", "Où est ma carte ?")
    english(client).force_login(elodie)
    page = client.get(thread_url(req)).content.decode()
    assert "Où est ma carte ?" in page and "not the person's record" in page
    response = client.post(thread_url(req), {"text": "Dans « Si quelque chose m'arrive »."})
    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:advisor_inbox")
    req.refresh_from_db()
    assert (req.status, req.waiting_since) == (Status.ANSWERED, None)
    english(client).force_login(person)
    html = client.get(thread_url(req)).content.decode()
    assert "Élodie Lalande, advisor" in html and "Si quelque chose m&#x27;arrive" in html
    assert "Answered" in html


def test_every_answer_is_kept(client):
    elodie, person = advisor(), citizen()
    req = ask(person, "Export", "Comment exporter ?")
    helpdesk.answer(elodie, req.pk, "Première réponse.")
    helpdesk.reply(person, req.pk, "Et en PDF ?")
    helpdesk.answer(elodie, req.pk, "Deuxième réponse.")
    texts = [(line.from_advisor, line.text) for line in helpdesk.open_thread(person, req.pk).lines]
    assert texts == [
        (False, "Comment exporter ?"),
        (True, "Première réponse."),
        (False, "Et en PDF ?"),
        (True, "Deuxième réponse."),
    ]
    assert Message.objects.filter(user=person, event="help_answer", channel="in_app").count() == 2


def test_an_empty_answer_says_what_to_do(client):
    req = ask(citizen())
    english(client).force_login(advisor())
    response = client.post(thread_url(req), {"text": " "})
    assert response.status_code == 400
    assert "Write your answer, then send it." in response.content.decode()
    assert HelpRequest.objects.get(pk=req.pk).status == Status.WAITING


def test_the_advisor_home_shows_how_many_wait(client):
    ask(citizen())
    ask(citizen())
    english(client).force_login(advisor())
    html = client.get(reverse("home")).content.decode()
    assert "2 questions are waiting for an answer." in html
    assert f'href="{reverse("helpdesk:advisor_inbox")}"' in html
