"""SMS delivery through the adapter: a real loopback HTTP gateway, the file and console ones."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from carnet.notify import outbox, services, sms
from carnet.notify.models import Message, Status

from .helpers import citizen
from .loopback import LoopbackSmsGateway

PHONE = "+33612345678"


@pytest.fixture
def gateway(settings):
    gw = LoopbackSmsGateway(key="gw-secret-key").start()
    settings.CARNET_SMS_BACKEND = "http"
    settings.CARNET_SMS_URL = gw.url
    settings.CARNET_SMS_KEY = "gw-secret-key"
    settings.CARNET_SMS_SENDER = "Carnet"
    settings.CARNET_SITE_URL = "https://carnet.example.org"
    yield gw
    gw.stop()


def sms_user(email="alice@example.org", **prefs):
    user = citizen(email)
    services.update_preferences(user, sms=True, phone="06 12 34 56 78", **prefs)
    return user


def test_it_sends_an_sms_through_the_gateway_once(gateway):
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    services.send_due()
    msg = Message.objects.get(user=user, channel="sms")
    assert gateway.posts == [
        {
            "to": PHONE,
            "from": "Carnet",
            "text": "Carnet : Vous avez un nouveau message dans Carnet. https://carnet.example.org/messages/",
            "client_ref": msg.idempotency_key,
        }
    ]
    assert (msg.status, msg.provider_ref) == (Status.SENT, "gw-1")
    services.send_due()
    assert len(gateway.posts) == 1


def test_an_access_request_sms_carries_its_reply_code_only(gateway):
    user = sms_user()
    services.notify_user(user.pk, "access_request", params={"code": "4821"})
    services.send_due()
    [post] = gateway.posts
    assert "OUI 4821" in post["text"] and "NON 4821" in post["text"]
    assert post["text"].startswith("Carnet : un professionnel de santé demande l'accès")


def test_it_writes_english_sms_when_chosen(gateway):
    user = sms_user(language="en")
    services.notify_user(user.pk, "emergency_access")
    services.send_due()
    assert gateway.posts[0]["text"] == (
        "Carnet: Someone opened your record in an emergency: open Carnet. "
        "https://carnet.example.org/historique/"
    )


def test_it_retries_a_busy_gateway_with_backoff(gateway):
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    gateway.fail_with = [503, 503]
    t0 = timezone.now()
    services.send_due(now=t0)
    msg = Message.objects.get(channel="sms")
    assert (msg.status, msg.attempts, msg.last_error) == (
        Status.QUEUED,
        1,
        "SMS: gateway answered 503",
    )
    assert msg.next_attempt_at == t0 + dt.timedelta(seconds=60)
    services.send_due(now=t0 + dt.timedelta(seconds=60))
    msg.refresh_from_db()
    assert msg.next_attempt_at == t0 + dt.timedelta(seconds=60 + 120)
    services.send_due(now=t0 + dt.timedelta(seconds=180))
    msg.refresh_from_db()
    assert (msg.status, msg.attempts) == (Status.SENT, 3)
    assert gateway.refused == [503, 503] and len(gateway.posts) == 1


def test_a_refused_message_fails_without_retrying(gateway):
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    gateway.fail_with = [422]
    services.send_due()
    msg = Message.objects.get(channel="sms")
    assert (msg.status, msg.attempts) == (Status.FAILED, 1)


def test_a_wrong_key_is_retried_not_dropped(gateway, settings):
    settings.CARNET_SMS_KEY = "not-the-key"
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    services.send_due()
    msg = Message.objects.get(channel="sms")
    assert (msg.status, msg.last_error) == (Status.QUEUED, "SMS: gateway answered 401")


def test_a_lost_message_the_gateway_holds_is_not_sent_again(gateway):
    """A worker posted the SMS, then died before writing "sent": the next one asks first."""
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    msg = Message.objects.get(channel="sms")
    t0 = timezone.now()
    assert outbox.claim(msg.pk, t0)
    sms.backend().send(sms.Sms(to=PHONE, text="…", client_ref=msg.idempotency_key))
    # Within the lease nobody touches it.
    assert services.send_due(now=t0 + dt.timedelta(seconds=10))["recovered"] == 0
    counts = services.send_due(now=t0 + dt.timedelta(seconds=301))
    msg.refresh_from_db()
    assert counts["recovered"] == 1
    assert msg.status == Status.SENT
    assert gateway.lookups == [msg.idempotency_key]
    assert gateway.counts[msg.idempotency_key] == 1


def test_a_lost_message_the_gateway_never_got_is_sent_once(gateway):
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    msg = Message.objects.get(channel="sms")
    t0 = timezone.now()
    assert outbox.claim(msg.pk, t0)
    services.send_due(now=t0 + dt.timedelta(seconds=301))
    msg.refresh_from_db()
    assert (msg.status, msg.attempts) == (Status.SENT, 2)
    assert gateway.counts == {msg.idempotency_key: 1}


def test_a_message_is_claimed_by_one_worker_only():
    user = citizen()
    services.notify_user(user.pk, "new_message")
    msg = Message.objects.get(channel="email")
    now = timezone.now()
    assert outbox.claim(msg.pk, now) is True
    assert outbox.claim(msg.pk, now) is False


def test_no_phone_no_sms():
    user = citizen()
    created = services.notify_user(user.pk, "new_message")
    assert "sms" not in {m.channel for m in created}


def test_the_file_backend_appends_json_lines(settings, tmp_path):
    settings.CARNET_SMS_BACKEND = "file"
    settings.CARNET_SMS_FILE = tmp_path / "sms.jsonl"
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    services.notify_user(user.pk, "new_reminder")
    services.send_due()
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [line["to"] for line in lines] == [PHONE, PHONE]
    assert "nouveau rappel" in lines[1]["text"]
    assert sms.FileBackend().lookup(lines[0]["client_ref"]) is True
    assert sms.FileBackend().lookup("0" * 32) is False


def test_the_console_backend_prints(settings, capsys):
    settings.CARNET_SMS_BACKEND = "console"
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    services.send_due()
    out = capsys.readouterr().out
    assert out.startswith("SMS {") and PHONE in out


def test_an_unknown_backend_fails_the_message_clearly(settings):
    settings.CARNET_SMS_BACKEND = "carrier-pigeon"
    user = sms_user()
    services.notify_user(user.pk, "new_message")
    services.send_due()
    msg = Message.objects.get(channel="sms")
    assert msg.status == Status.QUEUED
    assert msg.last_error == "ImproperlyConfigured"
