"""Only advisors open the inbox of help requests; advisors see questions, never records."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.helpdesk import services as helpdesk
from carnet.records import services as records

from .helpdesk import ask
from .people import advisor, citizen, english, pro


def test_citizens_and_practitioners_cannot_open_the_inbox(client):
    ask(citizen(), "Une question privée")
    for person in (citizen(), pro()):
        english(client).force_login(person)
        response = client.get(reverse("helpdesk:advisor_inbox"))
        assert response.status_code == 404
        assert "Une question privée" not in response.content.decode()
        with pytest.raises(helpdesk.NotFound):
            helpdesk.inbox(person)
        with pytest.raises(helpdesk.NotFound):
            helpdesk.answer(person, 1, "Réponse")


def test_the_menu_leads_each_role_to_its_help(client):
    english(client)
    client.force_login(citizen())
    html = client.get(reverse("helpdesk:index")).content.decode()
    assert f'href="{reverse("helpdesk:index")}" aria-current="page">Help<' in html
    assert reverse("helpdesk:advisor_inbox") not in html
    client.force_login(advisor())
    html = client.get(reverse("helpdesk:advisor_inbox")).content.decode()
    assert f'href="{reverse("helpdesk:advisor_inbox")}" aria-current="page">Help requests<' in html


def test_an_advisor_answering_a_question_still_cannot_read_the_record():
    person, elodie = citizen(), advisor()
    pid = accounts.patient_of(person).pk
    records.create(
        Actor.of_user(person), pid, {"resourceType": "Patient", "gender": "male"}, Purpose.SELF
    )
    req = ask(person)
    helpdesk.answer(elodie, req.pk, "Bonjour")
    for purpose in (Purpose.SELF, Purpose.ASSISTANCE, Purpose.TREATMENT):
        with pytest.raises(NotFound):
            records.search(Actor.of_user(elodie), pid, "Patient", purpose)
