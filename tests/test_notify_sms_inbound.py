"""SMS replies: the signed webhook, the reply-handler registry, answers to garbled replies."""

import json
import time

import pytest
from django.urls import include, path

from carnet.notify import services, views
from carnet.notify.models import InboundSms, Message

from .helpers import citizen
from .loopback import LoopbackSmsGateway

# Until carnet/urls.py includes carnet.notify.urls, the tests mount them themselves.
urlpatterns = [path("", include("carnet.notify.urls"))]
pytestmark = pytest.mark.urls(__name__)

SECRET = "inbound-shared-secret"
URL = "/notify/sms/inbound"


@pytest.fixture
def gateway(settings):
    gw = LoopbackSmsGateway(key="k").start()
    settings.CARNET_SMS_BACKEND = "http"
    settings.CARNET_SMS_URL = gw.url
    settings.CARNET_SMS_KEY = "k"
    settings.CARNET_SMS_INBOUND_SECRET = SECRET
    yield gw
    gw.stop()


@pytest.fixture
def handlers():
    calls = []

    def yes(reply):
        calls.append(("OUI", reply))
        return "access_request_approved" if reply.args == ["4821"] else "reply_unknown_code"

    def no(reply):
        calls.append(("NON", reply))
        return None

    services.register_reply_handler("oui", yes)
    services.register_reply_handler("NON", no)
    yield calls
    services.unregister_reply_handler("OUI")
    services.unregister_reply_handler("NON")


def post(client, payload, *, secret=SECRET, timestamp=None, body=None):
    body = body if body is not None else json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-Carnet-Timestamp": ts, "X-Carnet-Signature": views.sign(secret, ts, body)},
    )


def person():
    user = citizen()
    services.update_preferences(user, sms=True, phone="+33612345678")
    return user


def test_a_reply_reaches_its_handler_and_is_answered_by_sms(client, gateway, handlers):
    user = person()
    resp = post(client, {"from": "+33612345678", "text": "Oui 4821", "id": "in-1"})
    assert resp.status_code == 200
    [(prefix, reply)] = handlers
    assert (prefix, reply.words, reply.args, reply.user) == ("OUI", ["OUI", "4821"], ["4821"], user)
    assert reply.sender == "+33612345678"
    services.send_due()
    [answer] = gateway.posts
    assert answer["to"] == "+33612345678"
    assert "Votre accord a bien été enregistré." in answer["text"]
    # The answer went by SMS only, not by email or in-app.
    assert list(Message.objects.values_list("channel", flat=True)) == ["sms"]


def test_accents_case_and_punctuation_do_not_matter(client, gateway, handlers):
    person()
    post(client, {"from": "06 12 34 56 78", "text": "  non, 4821 !", "id": "in-2"})
    assert [(p, r.words) for p, r in handlers] == [("NON", ["NON", "4821"])]
    services.send_due()
    assert gateway.posts == []  # the handler chose to answer nothing


def test_a_garbled_reply_gets_a_clear_sms_back(client, gateway, handlers):
    person()
    assert (
        post(client, {"from": "+33612345678", "text": "d'accord ?", "id": "in-3"}).status_code
        == 200
    )
    assert handlers == []
    services.send_due()
    [answer] = gateway.posts
    assert "n'a pas compris votre réponse" in answer["text"]
    assert "OUI ou NON" in answer["text"]


def test_an_empty_reply_gets_the_same_answer(client, gateway, handlers):
    person()
    post(client, {"from": "+33612345678", "text": "", "id": "in-4"})
    services.send_due()
    assert "n'a pas compris" in gateway.posts[0]["text"]


def test_a_failing_handler_is_answered_not_crashed(client, gateway):
    person()

    def broken(reply):
        raise RuntimeError("bug")

    services.register_reply_handler("OUI", broken)
    try:
        assert post(client, {"from": "+33612345678", "text": "OUI 1", "id": "x"}).status_code == 200
    finally:
        services.unregister_reply_handler("OUI")
    services.send_due()
    assert "n'a pas compris" in gateway.posts[0]["text"]


def test_a_retried_delivery_is_handled_once(client, gateway, handlers):
    person()
    for _ in range(3):
        assert (
            post(client, {"from": "+33612345678", "text": "OUI 4821", "id": "in-5"}).status_code
            == 200
        )
    assert len(handlers) == 1
    services.send_due()
    assert len(gateway.posts) == 1


def test_strangers_get_no_answer(client, gateway, handlers):
    person()
    assert (
        post(client, {"from": "+447700900123", "text": "OUI 4821", "id": "in-6"}).status_code == 200
    )
    assert handlers == []
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    ["bad-secret", "old", "future", "no-headers", "body-changed"],
)
def test_unsigned_or_replayed_requests_are_refused(client, gateway, handlers, tamper):
    person()
    body = json.dumps({"from": "+33612345678", "text": "OUI 4821"}).encode()
    now = int(time.time())
    if tamper == "bad-secret":
        resp = post(client, None, body=body, secret="guess")
    elif tamper == "old":
        resp = post(client, None, body=body, timestamp=now - 3600)
    elif tamper == "future":
        resp = post(client, None, body=body, timestamp=now + 3600)
    elif tamper == "no-headers":
        resp = client.post(URL, data=body, content_type="application/json")
    else:
        ts = str(now)
        resp = client.post(
            URL,
            data=body.replace(b"4821", b"9999"),
            content_type="application/json",
            headers={"X-Carnet-Timestamp": ts, "X-Carnet-Signature": views.sign(SECRET, ts, body)},
        )
    assert resp.status_code == 403
    assert handlers == []
    assert not InboundSms.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"from": "+33612345678"}', b'{"from": 33612345678, "text": "OUI"}'],
)
def test_malformed_replies_are_refused(client, gateway, handlers, body):
    assert post(client, None, body=body).status_code == 400
    assert handlers == []


def test_the_webhook_is_off_without_a_secret(client, settings):
    settings.CARNET_SMS_INBOUND_SECRET = None
    assert post(client, {"from": "+33612345678", "text": "OUI"}).status_code == 404


def test_the_webhook_takes_post_only(client, gateway):
    assert client.get(URL).status_code == 405


def test_a_prefix_is_one_word():
    with pytest.raises(ValueError):
        services.register_reply_handler("OUI MERCI", lambda reply: None)
