"""Access on request, accepted by answering the SMS "OUI 4821" through notify's webhook."""

import json
import time

import pytest

from carnet.access import requests
from carnet.access.models import AccessRequest, Grant
from carnet.access.services import Actor
from carnet.notify import receivers
from carnet.notify import services as notify
from carnet.notify import views as notify_views

from .access_records import can_read, record_with_items
from .loopback import LoopbackSmsGateway
from .people import citizen, pro

SECRET = "inbound-shared-secret"
URL = "/notify/sms/inbound"
PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def _sms_answers():
    # Other tests replace the "OUI"/"NON" handlers with their own: put ours back.
    receivers.register_sms_answers()


@pytest.fixture
def gateway(settings):
    gw = LoopbackSmsGateway(key="k").start()
    settings.CARNET_SMS_BACKEND = "http"
    settings.CARNET_SMS_URL = gw.url
    settings.CARNET_SMS_KEY = "k"
    settings.CARNET_SMS_INBOUND_SECRET = SECRET
    settings.CARNET_NOTIFY_KICK = False
    yield gw
    gw.stop()


def sms(client, text, ref):
    body = json.dumps({"from": "06 12 34 56 78", "text": text, "id": ref}).encode()
    ts = str(int(time.time()))
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={
            "X-Carnet-Timestamp": ts,
            "X-Carnet-Signature": notify_views.sign(SECRET, ts, body),
        },
    )


def asked(django_capture_on_commit_callbacks):
    owner, pid, made = record_with_items(citizen())
    notify.update_preferences(owner, sms=True, phone=PHONE)
    physio = pro()
    with django_capture_on_commit_callbacks(execute=True):
        req = requests.ask(
            Actor.of_user(physio),
            target=owner.email,
            reason="genou",
            categories=["measurements"],
            duration="month",
        )
    return owner, pid, made, physio, req


def test_oui_and_the_code_accepts_and_is_answered_by_sms(
    client, gateway, django_capture_on_commit_callbacks
):
    _owner, pid, made, physio, req = asked(django_capture_on_commit_callbacks)
    notify.send_due()
    [request_sms] = gateway.posts
    assert request_sms["to"] == PHONE
    assert f"OUI {req.reply_code}" in request_sms["text"]
    assert "genou" not in request_sms["text"]  # no health detail by SMS

    with django_capture_on_commit_callbacks(execute=True):
        assert sms(client, f"oui {req.reply_code}", "in-1").status_code == 200
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"
    assert Grant.objects.filter(patient_id=pid, grantee_id=physio.pk, revoked_at=None).exists()
    assert can_read(Actor.of_user(physio), made["knee"])
    notify.send_due()
    answers = [p["text"] for p in gateway.posts[1:] if p["to"] == PHONE]
    assert any("Your approval has been recorded." in t for t in answers)


def test_non_and_the_code_refuses(client, gateway, django_capture_on_commit_callbacks):
    _owner, pid, made, physio, req = asked(django_capture_on_commit_callbacks)
    sms(client, f"Non {req.reply_code}", "in-2")
    assert AccessRequest.objects.get(pk=req.pk).status == "refused"
    assert not Grant.objects.filter(patient_id=pid).exists()
    assert not can_read(Actor.of_user(physio), made["knee"])


def test_a_wrong_code_changes_nothing(client, gateway, django_capture_on_commit_callbacks):
    _owner, pid, _made, _physio, req = asked(django_capture_on_commit_callbacks)
    wrong = "1000" if req.reply_code != "1000" else "1001"
    sms(client, f"OUI {wrong}", "in-3")
    sms(client, "OUI", "in-4")
    assert AccessRequest.objects.get(pk=req.pk).status == "pending"
    assert not Grant.objects.filter(patient_id=pid).exists()
    notify.send_due()
    texts = [p["text"] for p in gateway.posts[1:]]
    assert len(texts) == 2 and all("Carnet" in t for t in texts)


def test_the_code_of_someone_else_s_request_does_nothing_from_my_phone(
    client, gateway, django_capture_on_commit_callbacks
):
    _owner, _pid, _made, _physio, req = asked(django_capture_on_commit_callbacks)
    # Another person with another phone answers with the first person's code.
    other = citizen("Other")
    notify.update_preferences(other, sms=True, phone="+33699999999")
    body = json.dumps({"from": "+33699999999", "text": f"OUI {req.reply_code}", "id": "x"})
    ts = str(int(time.time()))
    client.post(
        URL,
        data=body.encode(),
        content_type="application/json",
        headers={
            "X-Carnet-Timestamp": ts,
            "X-Carnet-Signature": notify_views.sign(SECRET, ts, body.encode()),
        },
    )
    assert AccessRequest.objects.get(pk=req.pk).status == "pending"
