"""A code that opens nothing: wrong, expired, already used — all answered alike; a few wrong
codes lock the desk for a while; a code never appears in a URL or a log."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access import assistance
from carnet.access.services import Actor
from carnet.helppoint import services

from .helppoint import code_for, desk, desk_advisor, henri
from .people import english

REFUSED = "This code does not work: it is wrong, already used or too old."


def _type(client, code):
    return client.post(reverse("helppoint:code"), {"code": code})


def test_a_wrong_code_is_refused(client):
    english(client)
    henri()
    client.force_login(desk_advisor())
    answer = _type(client, "1234 5678")
    assert answer.status_code == 400 and REFUSED in answer.content.decode()
    assert _type(client, "not a code").status_code == 400


def test_an_expired_code_is_refused():
    person, _pid = henri()
    adv = desk_advisor()
    code = code_for(person)
    later = timezone.now() + timedelta(minutes=services.CODE_MINUTES, seconds=1)
    with pytest.raises(services.Refused) as refused:
        services.redeem(adv, code, now=later)
    assert refused.value.reason == "wrong" and assistance.live_for_advisor(adv.pk) is None


def test_a_code_works_once_even_at_another_desk():
    person, _pid = henri()
    code = code_for(person)
    first = desk_advisor()
    other = desk_advisor(desk(name="Mairie de Seysses"), name="Paul Roux")
    services.redeem(first, code)
    with pytest.raises(services.Refused):
        services.redeem(other, code)
    assert assistance.live_for_advisor(other.pk) is None


def test_wrong_codes_lock_the_desk_and_then_even_a_right_one_waits(client):
    english(client)
    person, pid = henri()
    point = desk()
    adv = desk_advisor(point)
    for _ in range(services.MAX_WRONG):
        with pytest.raises(services.Refused):
            services.redeem(adv, "00000000")
    good = services.paper_codes(Actor.of_user(person), pid)[0]
    client.force_login(desk_advisor(point, name="Paul Roux"))  # the whole desk is locked
    answer = _type(client, good)
    assert answer.status_code == 429
    assert "Too many wrong codes at this desk" in answer.content.decode()
    later = timezone.now() + timedelta(minutes=services.LOCK_MINUTES + 1)
    assert services.redeem(adv, good, now=later).patient_id == pid  # works once unlocked


def test_the_code_is_in_no_url_and_no_log(client, caplog):
    english(client)
    person, _pid = henri()
    client.force_login(person)
    made = client.post(reverse("helppoint:person"), {"scopes": ["reminders"]})
    code = made.context["code"].code
    client.force_login(desk_advisor())
    with caplog.at_level(logging.DEBUG):
        opened = _type(client, code)
        _type(client, code)  # and once more, refused
    assert code not in opened["Location"]
    assert code not in caplog.text and services.show(code) not in caplog.text
