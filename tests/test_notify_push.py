"""Web Push with pywebpush to a loopback push service: encrypted, VAPID-signed, no detail."""

import base64
import json

import pytest

# pywebpush (with http_ece and py_vapid) is pinned in pyproject.toml's dependencies.
pytest.importorskip("pywebpush")

import http_ece  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from py_vapid import Vapid  # noqa: E402

from carnet.notify import services  # noqa: E402
from carnet.notify.models import Message, PushSubscription, Status  # noqa: E402

from .helpers import citizen  # noqa: E402
from .loopback import LoopbackPushService  # noqa: E402


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def push(settings, tmp_path):
    service = LoopbackPushService().start()
    vapid = Vapid()
    vapid.generate_keys()
    vapid.save_key(str(tmp_path / "vapid.pem"))
    settings.CARNET_WEBPUSH_KEY_FILE = str(tmp_path / "vapid.pem")
    settings.CARNET_WEBPUSH_HOSTS = ["127.0.0.1"]
    yield service
    service.stop()


def browser():
    """A browser's subscription keys: the private half stays with the test to decrypt."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = b"0123456789abcdef"
    return private, {"p256dh": b64(public), "auth": b64(auth)}, auth


def test_it_pushes_an_encrypted_notice_with_no_detail(push):
    user = citizen()
    private, keys, auth = browser()
    services.update_preferences(user, push=True)
    services.save_push_subscription(user, {"endpoint": push.base + "/push/abc", "keys": keys})
    services.notify_user(user.pk, "emergency_access")
    services.send_due()
    msg = Message.objects.get(channel="push")
    assert msg.status == Status.SENT
    [got] = push.received
    assert got["path"] == "/push/abc"
    assert got["headers"]["topic"] == msg.idempotency_key
    assert got["headers"]["urgency"] == "high"
    assert got["headers"]["authorization"].startswith("vapid t=")
    payload = json.loads(
        http_ece.decrypt(got["body"], private_key=private, auth_secret=auth, version="aes128gcm")
    )
    assert payload == {
        "title": "Accès en urgence à votre dossier",
        "body": "Quelqu'un a consulté votre dossier en urgence : ouvrez Carnet.",
        "url": "http://localhost:8000/historique/",  # who opened it: the access history
    }


def test_an_expired_subscription_is_forgotten(push):
    push.status = 410
    user = citizen()
    services.update_preferences(user, push=True)
    services.save_push_subscription(
        user, {"endpoint": push.base + "/push/gone", "keys": browser()[1]}
    )
    services.notify_user(user.pk, "new_message")
    services.send_due()
    assert Message.objects.get(channel="push").status == Status.CANCELLED
    assert not PushSubscription.objects.exists()


def test_a_push_service_error_is_retried(push):
    push.status = 500
    user = citizen()
    services.update_preferences(user, push=True)
    services.save_push_subscription(user, {"endpoint": push.base + "/p", "keys": browser()[1]})
    services.notify_user(user.pk, "new_message")
    services.send_due()
    msg = Message.objects.get(channel="push")
    assert (msg.status, msg.attempts) == (Status.QUEUED, 1)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://updates.push.services.mozilla.com/wpush/v2/x",  # not https
        "https://evil.example/push",  # not a push service
        "https://fcm.googleapis.com.evil.example/x",
        "http://10.0.0.1/push",
        "file:///etc/passwd",
    ],
)
def test_subscriptions_only_point_at_known_push_services(settings, endpoint):
    settings.CARNET_WEBPUSH_HOSTS = ["fcm.googleapis.com", "updates.push.services.mozilla.com"]
    user = citizen()
    with pytest.raises(ValidationError):
        services.save_push_subscription(user, {"endpoint": endpoint, "keys": browser()[1]})
    assert not PushSubscription.objects.exists()


def test_the_browser_gets_the_public_key(push):
    key = services.vapid_public_key()
    assert key and len(base64.urlsafe_b64decode(key + "==")) == 65


def test_without_a_vapid_key_push_is_off(settings):
    settings.CARNET_WEBPUSH_KEY_FILE = None
    settings.CARNET_WEBPUSH_HOSTS = ["updates.push.services.mozilla.com"]
    user = citizen()
    services.update_preferences(user, push=True)
    services.save_push_subscription(
        user,
        {"endpoint": "https://updates.push.services.mozilla.com/x", "keys": browser()[1]},
    )
    services.notify_user(user.pk, "new_message")
    services.send_due()
    assert Message.objects.get(channel="push").status == Status.CANCELLED
    assert services.vapid_public_key() is None
