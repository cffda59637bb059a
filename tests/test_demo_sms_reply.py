"""The demo can play an SMS reply: `carnet notify reply` signs it and posts it to the webhook.

`make run` turns the webhook on with a demo secret and writes SMS to sms.jsonl (file
backend); a person reads the code there and answers with `make sms-reply`. Here the same
command talks to a live server and accepts a practitioner's request by « OUI <code> ».
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carnet.access import requests
from carnet.access.models import AccessRequest, Grant
from carnet.access.services import Actor
from carnet.notify import receivers
from carnet.notify import services as notify

from .helpers import citizen
from .people import practitioner_account

PHONE = "+33612345678"
SECRET = "demo-only-sms-reply-secret"


@pytest.fixture(autouse=True)
def _sms_answers():
    receivers.register_sms_answers()  # other tests replace the OUI/NON handlers


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.CARNET_SMS_BACKEND = "file"
    settings.CARNET_SMS_FILE = tmp_path / "sms.jsonl"
    settings.CARNET_SMS_INBOUND_SECRET = SECRET
    settings.CARNET_NOTIFY_KICK = False
    return settings.CARNET_SMS_FILE


def ask(django_capture_on_commit_callbacks):
    owner = citizen("henri@example.org")
    notify.update_preferences(owner, sms=True, phone=PHONE)
    doctor = practitioner_account(
        "jolimont@example.org", rpps="10000000042", display_name="Claire Jolimont"
    )
    with django_capture_on_commit_callbacks(execute=True):
        req = requests.ask(
            Actor.of_user(doctor),
            target=owner.email,
            reason="suivi",
            categories=["measurements"],
            duration="month",
        )
    return owner, doctor, req


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_reply_played_from_the_command_line_accepts_the_request(
    live_server, sms_file, django_capture_on_commit_callbacks
):
    owner, doctor, req = ask(django_capture_on_commit_callbacks)
    notify.send_due()
    [line] = sms_file.read_text().splitlines()
    sent = json.loads(line)
    assert sent["to"] == PHONE and f"OUI {req.reply_code}" in sent["text"]

    out = io.StringIO()
    call_command(
        "notify",
        "reply",
        "--url",
        live_server.url,
        "--from",
        PHONE,
        f"OUI {req.reply_code}",
        stdout=out,
    )
    assert out.getvalue().startswith("200")
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"
    assert Grant.objects.filter(grantee_id=doctor.pk, revoked_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_reply_signed_with_another_secret_is_refused(live_server, sms_file, settings):
    settings.CARNET_SMS_INBOUND_SECRET = SECRET
    # The server knows the secret; the command signs with another: 403, and says so.
    from carnet.notify.management.commands import notify as command

    settings.CARNET_SMS_INBOUND_SECRET = "not-the-server-secret"
    with pytest.raises(CommandError, match="403"):
        _with_server_secret(settings, command, live_server.url)


def _with_server_secret(settings, command, url):
    # The live server runs in this process: switch the secret between signing and checking.
    real = command.sign

    def sign_then_restore(secret, timestamp, body):
        signature = real(secret, timestamp, body)
        settings.CARNET_SMS_INBOUND_SECRET = SECRET
        return signature

    command.sign = sign_then_restore
    try:
        command.play_reply(PHONE, "OUI 1234", url)
    finally:
        command.sign = real


def test_without_a_secret_the_command_says_what_to_set(settings):
    settings.CARNET_SMS_INBOUND_SECRET = None
    with pytest.raises(CommandError, match="CARNET_SMS_INBOUND_SECRET"):
        call_command("notify", "reply", "--from", PHONE, "OUI 1234")


def test_an_unreachable_server_is_named(settings):
    settings.CARNET_SMS_INBOUND_SECRET = SECRET
    with pytest.raises(CommandError, match="could not reach"):
        call_command("notify", "reply", "--url", "http://127.0.0.1:9", "--from", PHONE, "OUI 1")
