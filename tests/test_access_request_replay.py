"""Requests cannot be replayed: an answer counts once, in the app as by SMS."""

import json
import time

import pytest
from django.urls import reverse

from carnet.access import requests
from carnet.access.models import AccessRequest, Grant
from carnet.access.services import Actor
from carnet.notify import receivers
from carnet.notify import services as notify
from carnet.notify import views as notify_views
from carnet.notify.models import Message

from .access_records import record_with_items
from .people import citizen, confirmed, english, pro


@pytest.fixture(autouse=True)
def _sms_answers():
    # Other tests replace the "OUI"/"NON" handlers with their own: put ours back.
    receivers.register_sms_answers()


@pytest.fixture
def inbound(settings):
    settings.CARNET_SMS_INBOUND_SECRET = "s"
    settings.CARNET_NOTIFY_KICK = False


def sms(client, text, ref):
    body = json.dumps({"from": "+33612345678", "text": text, "id": ref}).encode()
    ts = str(int(time.time()))
    return client.post(
        "/notify/sms/inbound",
        data=body,
        content_type="application/json",
        headers={"X-Carnet-Timestamp": ts, "X-Carnet-Signature": notify_views.sign("s", ts, body)},
    )


def _asked():
    owner, pid, _made = record_with_items(citizen())
    notify.update_preferences(owner, sms=True, phone="+33612345678")
    physio = pro()
    req = requests.ask(
        Actor.of_user(physio), target=owner.email, reason="genou", categories=["measurements"]
    )
    return owner, pid, physio, req


def test_the_same_sms_answer_sent_again_changes_nothing(client, inbound):
    owner, pid, physio, req = _asked()
    sms(client, f"OUI {req.reply_code}", "in-1")
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"
    grant = Grant.objects.get(patient_id=pid, grantee_id=physio.pk, revoked_at=None)
    # The person withdraws it; an old "OUI" replayed (new gateway id) must not bring it back.
    from carnet.access import grants

    grants.revoke(Actor.of_user(owner), pid, grant.pk)
    sms(client, f"OUI {req.reply_code}", "in-2")
    assert not Grant.objects.filter(patient_id=pid, revoked_at=None).exists()
    answers = Message.objects.filter(user=owner, channel="sms").values_list("event", flat=True)
    assert "reply_unknown_code" in list(answers)
    # The very same delivery twice is handled once.
    assert notify.handle_inbound_sms("+33612345678", f"OUI {req.reply_code}", ref="in-2") == (
        "duplicate"
    )


def test_accepting_twice_in_the_app_gives_one_grant(client):
    owner, pid, _physio, req = _asked()
    confirmed(english(client), owner)
    assert client.post(reverse("coffre:request_approve", args=[req.pk])).status_code == 302
    assert client.post(reverse("coffre:request_approve", args=[req.pk])).status_code == 409
    assert client.post(reverse("coffre:request_refuse", args=[req.pk])).status_code == 409
    assert Grant.objects.filter(patient_id=pid).count() == 1
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"


def test_a_refused_request_cannot_be_accepted_afterwards(client, inbound):
    owner, pid, _physio, req = _asked()
    requests.refuse(Actor.of_user(owner), pid, req.pk)
    sms(client, f"OUI {req.reply_code}", "in-3")
    with pytest.raises(requests.RequestClosed):
        requests.approve(Actor.of_user(owner), pid, req.pk)
    assert not Grant.objects.filter(patient_id=pid).exists()


def test_a_withdrawn_request_cannot_be_accepted(client):
    owner, pid, physio, req = _asked()
    english(client).force_login(physio)
    assert client.post(reverse("coffre:pro_request_withdraw", args=[req.pk])).status_code == 302
    confirmed(client, owner)
    assert client.post(reverse("coffre:request_approve", args=[req.pk])).status_code == 409
    assert not Grant.objects.filter(patient_id=pid).exists()
