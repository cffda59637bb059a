"""Abuse that is cheap on the notifications page: guessing an SMS code with requests sent
at once, sending codes to someone else's phone from many accounts, and registering
thousands of push addresses for the worker to post to."""

from __future__ import annotations

import copy
import re

import pytest
from django.utils import translation

from carnet.notify import preferences as rules
from carnet.notify import services
from carnet.notify.models import PushSubscription

from .helpers import citizen
from .loopback import MOBILE


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _code(gw) -> str:
    return re.search(r"\b([0-9]{6})\b", gw.posts[-1]["text"]).group(1)


def test_guesses_sent_at_once_share_one_count_of_wrong_tries(gateway):  # noqa: F811
    user = citizen()
    session: dict = {}
    rules.start_phone_check(user, session, MOBILE)
    code = _code(gateway)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    # Requests sent together each load the session as it was: none sees the others' tries.
    for _ in range(rules.MAX_WRONG_CODES):
        with pytest.raises(rules.PhoneCheckError):
            rules.confirm_phone(user, copy.deepcopy(session), wrong)
    with pytest.raises(rules.PhoneCheckError, match="too many times|no longer valid"):
        rules.confirm_phone(user, copy.deepcopy(session), code)
    assert services.preferences(user).phone == ""
    # A new code starts a new count.
    rules.start_phone_check(user, session, MOBILE)
    rules.confirm_phone(user, session, _code(gateway))
    assert services.preferences(user).phone == "+33612345678"


def test_one_number_gets_a_few_codes_a_day_whatever_the_accounts_asking(gateway):  # noqa: F811
    for i in range(rules.MAX_CODES_PER_NUMBER):
        rules.start_phone_check(citizen(f"a{i}@example.org"), {}, MOBILE)
    with pytest.raises(rules.PhoneCheckError, match="too many codes today"):
        rules.start_phone_check(citizen("last@example.org"), {}, "+33 6 12 34 56 78")
    assert len(gateway.posts) == rules.MAX_CODES_PER_NUMBER
    # Another number is not concerned.
    rules.start_phone_check(citizen("other@example.org"), {}, "07 98 76 54 32")
    assert len(gateway.posts) == rules.MAX_CODES_PER_NUMBER + 1


def test_a_person_keeps_a_few_push_addresses_the_newest(settings):
    settings.CARNET_WEBPUSH_HOSTS = ["updates.push.services.mozilla.com"]
    user = citizen()
    keys = {"p256dh": "B" * 87, "auth": "A" * 22}
    for i in range(services.MAX_PUSH_DEVICES + 5):
        services.save_push_subscription(
            user,
            {"endpoint": f"https://updates.push.services.mozilla.com/wpush/v2/{i}", "keys": keys},
        )
    kept = PushSubscription.objects.filter(user_id=user.pk)
    assert kept.count() == services.MAX_PUSH_DEVICES
    newest = f"https://updates.push.services.mozilla.com/wpush/v2/{services.MAX_PUSH_DEVICES + 4}"
    assert kept.filter(endpoint=newest).exists()
    assert not kept.filter(endpoint="https://updates.push.services.mozilla.com/wpush/v2/0").exists()
