"""Approvals expire: a request past its deadline cannot be accepted, in the app or by SMS."""

import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access import requests
from carnet.access.models import AccessRequest, Grant
from carnet.access.services import Actor
from carnet.notify import receivers
from carnet.notify import services as notify
from carnet.notify import views as notify_views

from .access_records import record_with_items
from .people import citizen, confirmed, english, pro


@pytest.fixture(autouse=True)
def _sms_answers():
    # Other tests replace the "OUI"/"NON" handlers with their own: put ours back.
    receivers.register_sms_answers()


def _expired_request():
    owner, pid, made = record_with_items(citizen())
    physio = pro()
    req = requests.ask(
        Actor.of_user(physio), target=owner.email, reason="genou", categories=["measurements"]
    )
    # The deadline is now: it belongs to the past (no clock is waited for).
    AccessRequest.objects.filter(pk=req.pk).update(expires_at=timezone.now())
    return owner, pid, physio, req


def test_an_expired_request_cannot_be_accepted_in_the_app(client):
    owner, pid, _physio, req = _expired_request()
    confirmed(english(client), owner)
    assert "Julien Carmes" not in client.get(reverse("coffre:sharing")).content.decode()
    response = client.post(reverse("coffre:request_approve", args=[req.pk]))
    assert response.status_code == 409
    assert "This request is closed" in response.content.decode()
    assert not Grant.objects.filter(patient_id=pid).exists()
    assert client.get(reverse("coffre:request_detail", args=[req.pk])).status_code == 404


def test_an_expired_request_cannot_be_accepted_by_sms(client, settings):
    settings.CARNET_SMS_INBOUND_SECRET = "s"
    settings.CARNET_NOTIFY_KICK = False
    owner, pid, _physio, req = _expired_request()
    notify.update_preferences(owner, sms=True, phone="+33612345678")
    body = json.dumps({"from": "+33612345678", "text": f"OUI {req.reply_code}"}).encode()
    ts = str(int(time.time()))
    client.post(
        "/notify/sms/inbound",
        data=body,
        content_type="application/json",
        headers={"X-Carnet-Timestamp": ts, "X-Carnet-Signature": notify_views.sign("s", ts, body)},
    )
    assert not Grant.objects.filter(patient_id=pid).exists()
    assert AccessRequest.objects.get(pk=req.pk).status == "pending"
    assert requests.expire_due() == 1
    assert AccessRequest.objects.get(pk=req.pk).status == "expired"
    # The practitioner sees a closed request, as for any request nobody accepted.
    client.force_login(_physio)
    assert 'data-state="closed"' in client.get(reverse("coffre:pro_requests")).content.decode()


def test_the_access_given_expires_with_the_duration_asked():
    owner, pid, _made = record_with_items(citizen())
    physio = pro()
    req = requests.ask(
        Actor.of_user(physio),
        target=owner.email,
        reason="genou",
        categories=["measurements"],
        duration="consultation",
    )
    grant = requests.approve(Actor.of_user(owner), pid, req.pk)
    assert grant.expires_at - grant.created_at == timedelta(hours=24)
