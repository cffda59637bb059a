"""Preferences: channels, language, quiet hours (urgent ignores them) and the daily digest."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from carnet.notify import services
from carnet.notify.models import Message, Notification, Status

from .helpers import citizen
from .loopback import LoopbackSmtp

PARIS = ZoneInfo("Europe/Paris")


def at(hour, minute=0, day=10):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def smtp(settings):
    server = LoopbackSmtp().start().use_in(settings)
    yield server
    server.stop()


def test_the_defaults_are_in_app_and_email_in_french():
    user = citizen()
    prefs = services.preferences(user)
    assert (prefs.in_app, prefs.email, prefs.sms, prefs.push) == (True, True, False, False)
    assert services.language_for(user) == "fr"
    assert prefs.frequency == "immediate" and prefs.quiet_start is None


def test_the_account_language_applies_unless_the_person_chose_another():
    user = citizen()
    user.language = "en"
    user.save()
    assert services.language_for(user) == "en"
    services.update_preferences(user, language="fr")
    assert services.language_for(user) == "fr"


def test_only_the_chosen_channels_are_used():
    user = citizen()
    services.update_preferences(user, email=False, sms=True, phone="+33612345678")
    created = services.notify_user(user.pk, "new_message")
    assert sorted(m.channel for m in created) == ["in_app", "sms"]


def test_web_push_needs_a_browser_that_allowed_it(settings):
    settings.CARNET_WEBPUSH_HOSTS = ["updates.push.services.mozilla.com"]
    user = citizen()
    services.update_preferences(user, push=True)
    assert "push" not in {m.channel for m in services.notify_user(user.pk, "new_message")}
    services.save_push_subscription(
        user,
        {
            "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/abc",
            "keys": {"p256dh": "B" * 87, "auth": "A" * 22},
        },
    )
    assert "push" in {m.channel for m in services.notify_user(user.pk, "new_message")}


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "12"},
        {"sms": True},  # no phone
        {"language": "de"},
        {"timezone": "Mars/Olympus"},
        {"quiet_start": dt.time(22)},  # no end
        {"frequency": "hourly"},
        {"digest_hour": 24},
        {"colour": "blue"},
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(changes):
    user = citizen()
    services.update_preferences(user, email=False)
    with pytest.raises(ValidationError):
        services.update_preferences(user, **changes)
    prefs = services.preferences(user)
    assert (prefs.email, prefs.sms, prefs.phone, prefs.language) == (False, False, "", "")


def test_phone_numbers_are_kept_in_international_form():
    user = citizen()
    assert services.update_preferences(user, phone="06.12.34.56.78").phone == "+33612345678"
    assert services.update_preferences(user, phone="0044 7700 900123").phone == "+447700900123"


def test_quiet_hours_hold_messages_until_they_end():
    user = citizen()
    services.update_preferences(
        user, sms=True, phone="+33612345678", quiet_start=dt.time(22), quiet_end=dt.time(7)
    )
    created = services.notify_user(user.pk, "new_reminder", now=at(23, 30))
    by_channel = {m.channel: m for m in created}
    assert by_channel["email"].next_attempt_at == at(7, day=11)
    assert by_channel["sms"].next_attempt_at == at(7, day=11)
    # In-app is silent: it is there at once.
    assert by_channel["in_app"].status == Status.SENT
    assert services.send_due(now=at(6, 59, day=11))["claimed"] == 0
    # Just after midnight, the same night's quiet hours end the same morning.
    early = services.notify_user(user.pk, "new_reminder", now=at(3, day=11))
    assert {m.next_attempt_at for m in early if m.channel != "in_app"} == {at(7, day=11)}
    # Outside quiet hours, at once.
    day = services.notify_user(user.pk, "new_reminder", now=at(12))
    assert {m.next_attempt_at for m in day} == {at(12)}


def test_quiet_hours_within_one_day_and_other_time_zones():
    user = citizen()
    services.update_preferences(
        user, quiet_start=dt.time(13), quiet_end=dt.time(14), timezone="America/Montreal"
    )
    montreal = ZoneInfo("America/Montreal")
    now = dt.datetime(2026, 3, 10, 13, 15, tzinfo=montreal)
    [email] = [
        m for m in services.notify_user(user.pk, "new_message", now=now) if m.channel == "email"
    ]
    assert email.next_attempt_at == dt.datetime(2026, 3, 10, 14, 0, tzinfo=montreal)


def test_urgent_messages_ignore_quiet_hours():
    user = citizen()
    services.update_preferences(user, quiet_start=dt.time(22), quiet_end=dt.time(7))
    now = at(2)
    created = services.notify_user(user.pk, "new_message", urgent=True, now=now)
    assert {m.next_attempt_at for m in created} == {now}
    # An emergency access is urgent by nature.
    created = services.notify_user(user.pk, "emergency_access", now=now)
    assert {(m.next_attempt_at, m.urgent) for m in created} == {(now, True)}


def test_a_daily_digest_sends_one_email_for_the_day_exactly_once(smtp):
    user = citizen()
    services.update_preferences(user, frequency="daily", digest_hour=18)
    for hour in (9, 11, 15):
        services.notify_user(user.pk, "new_reminder", now=at(hour))
    services.notify_user(user.pk, "new_message", now=at(16))
    assert Notification.objects.filter(user=user).count() == 4  # in-app is immediate
    assert services.send_due(now=at(17, 59))["claimed"] == 0
    counts = services.send_due(now=at(18))
    assert counts["digests"] == 1 and counts["sent"] == 1
    [mail] = smtp.received
    assert mail["subject"] == "Du nouveau dans Carnet"
    assert "Vous avez 4 nouvelles notifications dans Carnet." in mail["text"]
    digest = Message.objects.get(event="digest")
    assert digest.params == {"count": "4"} and digest.status == Status.SENT
    assert Message.objects.filter(digest=digest, status=Status.MERGED).count() == 4
    # Later passes send nothing more; the next day starts a new digest.
    assert services.send_due(now=at(19))["claimed"] == 0
    services.notify_user(user.pk, "new_message", now=at(20))
    services.send_due(now=at(18, day=11))
    assert len(smtp.received) == 2
    assert "Vous avez une nouvelle notification dans Carnet." in smtp.received[1]["text"]


def test_urgent_messages_skip_the_digest(smtp):
    user = citizen()
    services.update_preferences(user, frequency="daily", digest_hour=18)
    services.notify_user(user.pk, "emergency_access", now=at(9))
    services.send_due(now=at(9))
    [mail] = smtp.received
    assert mail["subject"] == "Accès en urgence à votre dossier"
