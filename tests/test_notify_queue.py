"""Queueing: notify_user / notify_patient put one message per chosen channel in the outbox."""

import pytest

from carnet.accounts import services as accounts
from carnet.notify import events, services
from carnet.notify.models import Message, Notification, Status

from .helpers import citizen


def test_it_queues_in_app_and_email_by_default():
    user = citizen()
    created = services.notify_user(user.pk, "new_message")
    assert sorted(m.channel for m in created) == ["email", "in_app"]
    email = Message.objects.get(user=user, channel="email")
    assert email.status == Status.QUEUED
    assert email.language == "fr"
    assert email.params == {}
    assert len(email.idempotency_key) == 32
    # In-app is written at once, exactly once, with no worker.
    in_app = Message.objects.get(user=user, channel="in_app")
    assert in_app.status == Status.SENT
    assert Notification.objects.filter(message=in_app).count() == 1


def test_it_notifies_the_owner_of_a_record():
    user = citizen()
    patient = accounts.patient_of(user)
    created = services.notify_patient(patient.pk, "new_reminder")
    assert {m.user_id for m in created} == {user.pk}
    assert {m.patient_id for m in created} == {patient.pk}


def test_it_notifies_nobody_for_a_record_without_owner():
    patient = accounts.create_patient(owner=None)
    assert services.notify_patient(patient.pk, "new_message") == []
    assert services.notify_patient(10**9, "new_message") == []
    assert not Message.objects.exists()


def test_it_notifies_nobody_for_a_closed_account():
    user = citizen()
    user.is_active = False
    user.save()
    assert services.notify_user(user.pk, "new_message") == []


def test_it_queues_once_for_the_same_key():
    user = citizen()
    first = services.notify_user(user.pk, "grant_created", key="grant:7")
    again = services.notify_user(user.pk, "grant_created", key="grant:7")
    assert len(first) == 2 and again == []
    assert Message.objects.filter(user=user).count() == 2
    assert Notification.objects.filter(user=user).count() == 1


def test_it_refuses_an_unknown_event():
    user = citizen()
    with pytest.raises(events.UnknownEvent):
        services.notify_user(user.pk, "lab_result_hiv_positive")
    assert not Message.objects.exists()


def test_it_lists_unread_notifications_and_marks_them_read():
    user = citizen()
    other = citizen("bob@example.org")
    services.notify_user(user.pk, "new_message")
    services.notify_user(user.pk, "emergency_access")
    services.notify_user(other.pk, "new_message")
    unread = services.unread(user)
    assert [n.event for n in unread] == ["emergency_access", "new_message"]
    assert unread[0].title == "Accès en urgence à votre dossier"
    assert unread[0].text == "Quelqu'un a consulté votre dossier en urgence : ouvrez Carnet."
    assert unread[0].url.startswith("http")
    assert services.unread_count(user) == 2
    # Someone else's notification id is not theirs to mark.
    foreign = services.unread(other)[0].pk
    assert services.mark_read(user, [unread[1].pk, foreign]) == 1
    assert [n.event for n in services.unread(user)] == ["emergency_access"]
    assert services.unread_count(other) == 1
    assert services.mark_read(user) == 1
    assert services.unread(user) == []


def test_in_app_texts_follow_the_persons_language():
    user = citizen()
    services.update_preferences(user, language="en")
    services.notify_user(user.pk, "new_message")
    assert services.unread(user)[0].text == "You have a new message in Carnet."


def test_it_ignores_a_closed_accounts_queued_messages():
    user = citizen()
    services.notify_user(user.pk, "new_message")
    accounts.delete_patient(accounts.patient_of(user).pk)
    assert not Message.objects.exists()
