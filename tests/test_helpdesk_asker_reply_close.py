"""The asker replies (the question waits for an advisor again) and closes it when it is
answered; a closed question stays readable."""

from django.urls import reverse

from carnet.helpdesk import services as helpdesk
from carnet.helpdesk.models import HelpRequest, Status

from .helpdesk import ask, thread_url
from .people import advisor, citizen, english


def test_the_asker_replies_and_the_question_waits_again(client):
    elodie, person = advisor(), citizen()
    req = ask(person)
    helpdesk.answer(elodie, req.pk, "Allez dans Partage.")
    english(client).force_login(person)
    response = client.post(thread_url(req), {"text": "Je ne trouve pas le bouton."})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.WAITING and req.waiting_since is not None
    assert "Je ne trouve pas le bouton." in client.get(thread_url(req)).content.decode()
    assert [t.id for t in helpdesk.inbox(elodie) if t.status == Status.WAITING] == [req.pk]


def test_the_asker_closes_and_every_message_stays(client):
    elodie, person = advisor(), citizen()
    req = ask(person, "Procuration", "Pour mon père")
    helpdesk.answer(elodie, req.pk, "Dans Mes proches.")
    english(client).force_login(person)
    html = client.get(thread_url(req)).content.decode()
    assert "My question is answered" in html
    response = client.post(reverse("helpdesk:close", args=[req.pk]))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.closed_at is not None
    html = client.get(thread_url(req)).content.decode()
    assert "This question is closed" in html and "Dans Mes proches." in html
    assert "Pour mon père" in html and 'name="text"' not in html
    assert req.pk not in [t.id for t in helpdesk.inbox(elodie)]
    # Nothing more can be added to a closed question, by either side.
    response = client.post(thread_url(req), {"text": "Encore une chose"})
    assert response.status_code == 400 and "This question is closed" in response.content.decode()
    try:
        helpdesk.answer(elodie, req.pk, "Trop tard")
    except helpdesk.Refused as refused:
        assert refused.reason == "closed"
    assert len(helpdesk.open_thread(person, req.pk).lines) == 2


def test_closing_is_by_post_only(client):
    person = citizen()
    req = ask(person)
    english(client).force_login(person)
    assert client.get(reverse("helpdesk:close", args=[req.pk])).status_code == 405
    assert HelpRequest.objects.get(pk=req.pk).status == Status.WAITING


def test_many_messages_in_a_row_wait_for_an_answer(client):
    person = citizen()
    req = ask(person)
    for i in range(helpdesk.MAX_UNANSWERED_LINES - 1):
        helpdesk.reply(person, req.pk, f"Précision {i}")
    english(client).force_login(person)
    response = client.post(thread_url(req), {"text": "Encore"})
    assert response.status_code == 400
    assert "An advisor will read them together" in response.content.decode()


def test_my_questions_lists_open_ones_first(client):
    person = citizen()
    first = ask(person, "Première")
    ask(person, "Deuxième")
    helpdesk.close(person, first.pk)
    english(client).force_login(person)
    html = client.get(reverse("helpdesk:mine")).content.decode()
    assert html.index("Deuxième") < html.index("Première")
    assert "Closed" in html and "Waiting for an advisor" in html
