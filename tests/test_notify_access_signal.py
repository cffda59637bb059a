"""Accesses to a record reach its owner: the receiver of the access app's signal."""

import pytest
from django.dispatch import Signal

from carnet.accounts import services as accounts
from carnet.notify import receivers, services
from carnet.notify.models import Message

from .helpers import citizen


@pytest.fixture
def signal():
    sig = Signal()
    sig.connect(receivers.on_access_event)
    return sig


def owner_with_a_daily_digest():
    user = citizen()
    # A daily digest: what is not urgent waits for it, what is urgent goes at once.
    services.update_preferences(user, sms=True, phone="+33612345678", frequency="daily")
    return user, accounts.patient_of(user)


def test_an_emergency_is_told_at_once_on_every_chosen_channel(signal):
    user, patient = owner_with_a_daily_digest()
    signal.send(
        sender="test", patient_id=patient.pk, event="emergency", actor_label="Dr X", urgent=True
    )
    messages = Message.objects.filter(user=user)
    assert sorted(m.channel for m in messages) == ["email", "in_app", "sms"]
    assert {m.event for m in messages} == {"emergency_access"}
    assert all(m.urgent and not m.for_digest for m in messages)
    assert all(m.next_attempt_at <= m.created_at for m in messages)


def test_an_emergency_is_urgent_even_if_the_sender_forgot(signal):
    user, patient = owner_with_a_daily_digest()
    signal.send(
        sender="test", patient_id=patient.pk, event="emergency", actor_label="", urgent=False
    )
    assert all(m.urgent for m in Message.objects.filter(user=user))


@pytest.mark.parametrize(
    "event,expected",
    [
        ("first_look", "first_look"),
        ("grant_created", "grant_created"),
        ("grant_revoked", "grant_revoked"),
        ("proxy_created", "proxy_created"),
        ("proxy_revoked", "proxy_revoked"),
        ("card_reset", "access_activity"),
        ("something_new", "access_activity"),
    ],
)
def test_each_access_event_has_its_message(signal, event, expected):
    user, patient = owner_with_a_daily_digest()
    signal.send(sender="test", patient_id=patient.pk, event=event, actor_label="X", urgent=False)
    messages = Message.objects.filter(user=user)
    assert {m.event for m in messages} == {expected}
    # Not urgent: the email and SMS wait for the digest.
    assert all(m.for_digest for m in messages if m.channel != "in_app")


def test_a_record_without_owner_or_a_bad_id_breaks_nothing(signal):
    patient = accounts.create_patient(owner=None)
    signal.send(sender="t", patient_id=patient.pk, event="first_look", actor_label="", urgent=False)
    signal.send(sender="t", patient_id="nope", event="first_look", actor_label="", urgent=False)
    assert not Message.objects.exists()


def test_the_access_apps_signal_is_connected_when_it_exists():
    try:
        from carnet.access.signals import access_event
    except ImportError:
        pytest.skip("carnet.access.signals is not there yet")
    assert receivers.connect() is True
    user = citizen()
    patient = accounts.patient_of(user)
    access_event.send(
        sender="carnet.access", patient_id=patient.pk, event="grant_created", actor_label="Dr X",
        urgent=False,
    )  # fmt: skip
    assert {m.event for m in Message.objects.filter(user=user)} == {"grant_created"}
