"""Red-flag triage: any "yes" means call now, never a chat; 3114 first for suicidal thoughts."""

import pytest
from django.urls import reverse

from carnet.chat import triage

from .chat import NO_FLAGS
from .people import english

pytestmark = pytest.mark.no_db


def numbers(outcome):
    return [n["number"] for n in outcome.numbers]


@pytest.mark.parametrize("flag", triage.KEYS)
def test_it_sends_every_red_flag_to_the_emergency_numbers(flag):
    outcome = triage.evaluate({**NO_FLAGS, flag: "yes"})
    assert outcome.urgent and not outcome.chat_allowed
    assert set(numbers(outcome)) == {"15", "112", "114", "3114"}


def test_it_puts_15_first_for_chest_pain():
    assert numbers(triage.evaluate({**NO_FLAGS, "chest_pain": "yes"}))[0] == "15"


def test_it_puts_3114_first_for_thoughts_of_suicide_even_with_another_flag():
    outcome = triage.evaluate({**NO_FLAGS, "suicide": "yes", "bleeding": "yes"})
    assert numbers(outcome)[:2] == ["3114", "15"]


def test_it_opens_a_chat_only_when_every_answer_is_no():
    assert triage.evaluate(NO_FLAGS).chat_allowed
    missing = {k: v for k, v in NO_FLAGS.items() if k != "stroke"}
    outcome = triage.evaluate(missing)
    assert not outcome.urgent and not outcome.chat_allowed
    assert not triage.evaluate({**NO_FLAGS, "stroke": "maybe"}).chat_allowed


def test_it_texts_114_and_calls_the_others():
    schemes = {n["number"]: n["scheme"] for n in triage.all_numbers()}
    assert schemes == {"15": "tel", "112": "tel", "114": "sms", "3114": "tel"}


@pytest.mark.django_db(databases="__all__")
def test_the_page_shows_the_numbers_without_javascript_and_then_only_them(client):
    page = english(client).get(reverse("chat:start")).content.decode()
    assert 'href="tel:15"' in page and 'href="tel:112"' in page
    assert 'href="sms:114"' in page and 'href="tel:3114"' in page
    assert page.index('href="tel:15"') < page.index("chest")
    answer = client.post(reverse("chat:start"), {**NO_FLAGS, "chest_pain": "yes"})
    body = answer.content.decode()
    assert answer.status_code == 200 and "Do not wait: call now." in body
    assert 'href="tel:15"' in body and 'name="service"' not in body
    assert reverse("chat:open") not in body


@pytest.mark.django_db(databases="__all__")
def test_the_page_puts_3114_first_when_suicide_is_ticked(client):
    body = english(client).post(reverse("chat:start"), {**NO_FLAGS, "suicide": "yes"})
    body = body.content.decode()
    assert body.index('href="tel:3114"') < body.index('href="tel:15"')


@pytest.mark.django_db(databases="__all__")
def test_the_page_asks_again_when_a_question_is_unanswered(client):
    answer = english(client).post(reverse("chat:start"), {"chest_pain": "no"})
    assert answer.status_code == 400
    assert "Answer every question with yes or no" in answer.content.decode()
