"""Asking an advisor: a citizen or health professional writes a question; it is kept
encrypted under the citizen's record key; a few open questions per person at most."""

from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.helpdesk import services as helpdesk
from carnet.helpdesk.models import HelpMessage, HelpRequest, Status

from .helpdesk import ask, thread_url
from .people import advisor, citizen, english, pro

SECRET = "ma sérologie VIH positive"


def _ask(client, subject="Partager avec ma kiné", text=f"Je veux cacher {SECRET}.", **extra):
    return client.post(reverse("helpdesk:ask"), {"subject": subject, "text": text, **extra})


def test_a_citizen_asks_and_sees_their_question(client):
    person = citizen("Karim Haddad")
    english(client).force_login(person)
    form = client.get(reverse("helpdesk:ask")).content.decode()
    assert "cannot see your record" in form and "Do not write medical details" in form
    response = _ask(client, about="masquer")
    req = HelpRequest.objects.get(asker=person)
    assert response.status_code == 302 and response["Location"] == thread_url(req)
    html = client.get(thread_url(req)).content.decode()
    assert "Partager avec ma kiné" in html and SECRET in html
    assert "Waiting for an advisor" in html and "Hide one item from others" in html
    assert (req.status, req.about) == (Status.WAITING, "masquer")
    assert req.patient_id == accounts.patient_of(person).pk


def test_the_texts_are_encrypted_with_the_askers_record_key():
    person = citizen()
    req = ask(person, "Partager avec ma kiné", f"Je veux cacher {SECRET}.")
    row = HelpRequest.objects.get(pk=req.pk)
    assert b"kin" not in bytes(row.subject)
    for line in HelpMessage.objects.filter(request=req):
        assert SECRET.encode() not in bytes(line.body) and b"cacher" not in bytes(line.body)
    assert helpdesk.open_thread(person, req.pk).lines[0].text == f"Je veux cacher {SECRET}."


def test_a_health_professional_asks_too():
    doctor = pro("Dr Marc Capitole")
    req = ask(doctor, "Horaires", "Comment publier mes horaires ?")
    assert req.patient_id is None
    assert helpdesk.open_thread(doctor, req.pk).subject == "Horaires"


def test_the_question_closes_with_the_account():
    from carnet.access.services import Actor, Purpose
    from carnet.records import erasure

    person = citizen()
    req = ask(person)
    pid = accounts.patient_of(person).pk
    erasure.erase_patient(Actor.of_user(person), pid, Purpose.SELF)
    assert not HelpRequest.objects.filter(pk=req.pk).exists()
    assert not HelpMessage.objects.filter(request_id=req.pk).exists()


def test_an_empty_question_says_what_to_write_and_creates_nothing(client):
    english(client).force_login(citizen())
    response = _ask(client, subject="", text="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give your question a short title" in html and "Write your question" in html
    assert not HelpRequest.objects.exists()


def test_a_search_without_result_starts_a_question_without_sending_it(client):
    english(client).force_login(citizen())
    response = client.post(reverse("helpdesk:ask"), {"step": "prefill", "q": "ordonnance perdue"})
    assert response.status_code == 200
    assert 'value="ordonnance perdue"' in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_a_few_open_questions_at_most_with_a_clear_message(client):
    person = citizen()
    english(client).force_login(person)
    for i in range(helpdesk.MAX_OPEN):
        assert _ask(client, subject=f"Question {i}").status_code == 302
    response = _ask(client, subject="One too many")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"You already have {helpdesk.MAX_OPEN} questions open" in html
    assert reverse("helpdesk:mine") in html
    assert HelpRequest.objects.filter(asker=person).count() == helpdesk.MAX_OPEN
    # Closing one lets the person ask again.
    helpdesk.close(person, HelpRequest.objects.filter(asker=person).first().pk)
    assert _ask(client, subject="Now it fits").status_code == 302


def test_closing_and_asking_again_is_limited_per_day():
    person = citizen()
    for _ in range(helpdesk.MAX_PER_DAY):
        helpdesk.close(person, ask(person).pk)
    try:
        ask(person)
    except helpdesk.Refused as refused:
        assert refused.reason == "daily"
    else:
        raise AssertionError("a seventh question in a day was accepted")


def test_advisors_and_visitors_do_not_ask_here(client):
    response = client.get(reverse("helpdesk:ask"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    english(client).force_login(advisor())
    assert client.get(reverse("helpdesk:ask")).status_code == 404
    assert _ask(client).status_code == 404
    assert not HelpRequest.objects.exists()
