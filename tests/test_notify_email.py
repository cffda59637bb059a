"""Email delivery through Django's SMTP backend to a real SMTP server on loopback."""

import datetime as dt

import pytest
from django.utils import timezone

from carnet.notify import services
from carnet.notify.models import Message, Status

from .helpers import citizen
from .loopback import LoopbackSmtp, free_port


@pytest.fixture
def smtp(settings):
    server = LoopbackSmtp().start().use_in(settings)
    settings.CARNET_SITE_URL = "https://carnet.example.org"
    yield server
    server.stop()


def test_it_emails_a_notice_in_french_with_a_link_and_no_detail(smtp):
    user = citizen()
    services.notify_user(user.pk, "new_message")
    counts = services.send_due()
    assert counts["sent"] == 1
    [mail] = smtp.received
    msg = Message.objects.get(channel="email")
    assert mail["to"] == ["alice@example.org"]
    assert mail["subject"] == "Nouveau message dans Carnet"
    assert "Vous avez un nouveau message dans Carnet." in mail["text"]
    assert "https://carnet.example.org/" in mail["text"]
    assert 'href="https://carnet.example.org/messages/"' in mail["html"]  # the messages page
    assert "Vous avez un nouveau message dans Carnet." in mail["html"]
    assert "aucun détail sur votre santé" in mail["text"]
    assert mail["message_id"] == f"<{msg.idempotency_key}@carnet.localhost>"
    assert mail["headers"]["Auto-Submitted"] == "auto-generated"
    assert (msg.status, msg.attempts, msg.provider_ref) == (Status.SENT, 1, mail["message_id"])
    assert msg.sent_at is not None
    # Another pass sends nothing again.
    assert services.send_due()["claimed"] == 0
    assert len(smtp.received) == 1


def test_it_emails_in_english_when_the_person_chose_it(smtp):
    user = citizen()
    services.update_preferences(user, language="en")
    services.notify_user(user.pk, "emergency_access")
    services.send_due()
    [mail] = smtp.received
    assert mail["subject"] == "Emergency access to your record"
    assert "Someone opened your record in an emergency: open Carnet." in mail["text"]
    assert 'lang="en" dir="ltr"' in mail["html"]
    assert mail["headers"]["Importance"] == "high"


def test_it_emails_right_to_left_in_arabic_when_the_account_speaks_it(smtp):
    user = citizen()
    user.language = "ar"  # chosen at sign-up or with the switch; no notification choice
    user.save()
    services.notify_user(user.pk, "new_message")
    services.send_due()
    [mail] = smtp.received
    assert '<html lang="ar" dir="rtl">' in mail["html"]


def test_it_sends_many_messages_on_one_connection_each_once(smtp):
    users = [citizen(f"p{i}@example.org") for i in range(5)]
    for u in users:
        services.notify_user(u.pk, "new_reminder")
    assert services.send_due()["sent"] == 5
    assert sorted(m["to"][0] for m in smtp.received) == sorted(u.email for u in users)
    assert set(smtp.counts.values()) == {1}


def test_it_retries_with_exponential_backoff_then_delivers(smtp, settings):
    user = citizen()
    services.notify_user(user.pk, "new_message")
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    t0 = timezone.now()
    assert services.send_due(now=t0)["queued"] == 1
    msg = Message.objects.get(channel="email")
    assert (msg.status, msg.attempts) == (Status.QUEUED, 1)
    assert msg.next_attempt_at == t0 + dt.timedelta(seconds=60)
    assert msg.last_error.startswith("SMTP:")
    assert services.send_due(now=t0 + dt.timedelta(seconds=59))["claimed"] == 0
    t1 = t0 + dt.timedelta(seconds=60)
    services.send_due(now=t1)
    msg.refresh_from_db()
    assert msg.attempts == 2 and msg.next_attempt_at == t1 + dt.timedelta(seconds=120)
    settings.EMAIL_PORT = real_port
    services.send_due(now=t1 + dt.timedelta(seconds=120))
    msg.refresh_from_db()
    assert (msg.status, msg.attempts, msg.last_error) == (Status.SENT, 3, "")
    assert len(smtp.received) == 1


def test_it_gives_up_after_the_last_attempt(smtp, settings):
    settings.CARNET_NOTIFY_MAX_ATTEMPTS = 3
    settings.EMAIL_PORT = free_port()
    user = citizen()
    services.notify_user(user.pk, "new_message")
    now = timezone.now()
    for _ in range(5):
        services.send_due(now=now)
        now += dt.timedelta(days=1)
    msg = Message.objects.get(channel="email")
    assert (msg.status, msg.attempts) == (Status.FAILED, 3)
    assert smtp.received == []


def test_it_cancels_an_email_the_person_no_longer_wants(smtp):
    user = citizen()
    services.notify_user(user.pk, "new_message")
    services.update_preferences(user, email=False)
    services.send_due()
    msg = Message.objects.get(channel="email")
    assert msg.status == Status.CANCELLED
    assert smtp.received == []


def test_it_never_emails_a_placeholder_address(smtp):
    from carnet.accounts import services as accounts

    patient = accounts.create_unclaimed_citizen()
    created = services.notify_patient(patient.pk, "new_message")
    assert [m.channel for m in created] == ["in_app"]
    services.send_due()
    assert smtp.received == []
