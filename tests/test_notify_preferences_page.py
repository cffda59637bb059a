"""The notifications page (/compte/notifications/): what a person chooses there changes what
the outbox and its worker do; SMS only to a number proved with a code; Web Push only from a
browser that allowed it; only ever the signed-in person's own preferences; CSRF enforced."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from carnet.notify import preferences as rules
from carnet.notify import services
from carnet.notify.models import Message, PushSubscription, Status

from .helpers import citizen
from .loopback import MOBILE, LoopbackSmtp

URL = "/compte/notifications/"
PARIS = ZoneInfo("Europe/Paris")
E164 = "+33612345678"
PUSH_HOST = "updates.push.services.mozilla.com"


def at(hour, minute=0, day=10):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def smtp(settings):
    server = LoopbackSmtp().start().use_in(settings)
    yield server
    server.stop()


def signed_in(user, client=None):
    client = client or Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def choices(**changes):
    """A full form as the page sends it, with the defaults of a new account."""
    data = {
        "email": "on",
        "language": "fr",
        "quiet_start": "",
        "quiet_end": "",
        "frequency": "immediate",
        "digest_hour": "8",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def last_code(gateway) -> str:
    return re.search(r"\b([0-9]{6})\b", gateway.posts[-1]["text"]).group(1)


def prove_number(client, gateway, number=MOBILE):
    assert client.post(URL + "mobile/", {"phone": number}).status_code == 302
    return client.post(URL + "mobile/code/", {"code": last_code(gateway)})


# --- the page ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", URL),
        ("post", URL),
        ("post", URL + "mobile/"),
        ("post", URL + "mobile/code/"),
        ("post", URL + "mobile/retirer/"),
        ("post", URL + "push/"),
    ],
)
def test_it_needs_a_signed_in_person(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_the_choices_and_says_messages_carry_no_health_detail():
    client = signed_in(citizen())
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "never contain health details" in html
    assert "always on" in html  # in the app
    assert 'name="email"' in html and "checked" in html.split('name="email"')[1][:80]
    # SMS is shown, but cannot be ticked before a number is proved.
    sms_box = html.split('name="sms"')[1][:120]
    assert "disabled" in sms_box
    assert 'type="time"' in html and 'name="digest_hour"' in html
    assert "<script>" not in html and " style=" not in html  # CSP: no inline script or style


def test_the_account_page_and_the_help_answer_link_to_it():
    client = signed_in(citizen())
    assert f'href="{URL}"' in client.get("/compte/").content.decode()
    assert f'href="{URL}"' in client.get("/aide/rappels/").content.decode()
    # The page belongs to the account section of the menu.
    html = client.get(URL).content.decode()
    assert re.search(r'href="/compte/"\s+aria-current="page"', html)


# --- each choice changes what is sent -----------------------------------------------------------
def test_quiet_hours_hold_an_sms_queued_at_23_until_7(gateway):
    user = citizen()
    client = signed_in(user)
    prove_number(client, gateway)
    response = client.post(
        URL, choices(sms="on", quiet_start="22:00", quiet_end="07:00", email=None)
    )
    assert response.status_code == 302
    prefs = services.preferences(user)
    assert (prefs.quiet_start, prefs.quiet_end) == (dt.time(22), dt.time(7))
    code_sms = len(gateway.posts)

    services.notify_user(user.pk, "new_reminder", now=at(23))
    [sms] = Message.objects.filter(user=user, channel="sms")
    assert sms.next_attempt_at == at(7, day=11)
    assert services.send_due(now=at(23, 30))["claimed"] == 0
    assert services.send_due(now=at(6, 59, day=11))["claimed"] == 0
    assert len(gateway.posts) == code_sms  # nothing during the night
    services.send_due(now=at(7, day=11))
    assert len(gateway.posts) == code_sms + 1
    assert gateway.posts[-1]["to"] == E164
    assert "nouveau rappel" in gateway.posts[-1]["text"]
    sms.refresh_from_db()
    assert sms.status == Status.SENT


def test_turning_email_off_stops_emails_and_on_again_sends_them(smtp, settings):
    settings.CARNET_NOTIFY_KICK = False
    user = citizen()
    client = signed_in(user)
    client.post(URL, choices(email=None))
    assert not services.preferences(user).email
    services.notify_user(user.pk, "new_message", now=at(10))
    assert sorted(Message.objects.filter(user=user).values_list("channel", flat=True)) == ["in_app"]
    client.post(URL, choices(email="on"))
    services.notify_user(user.pk, "new_message", now=at(11))
    services.send_due(now=at(11))
    [mail] = smtp.received
    assert mail["to"] == [user.email]


def test_the_language_chosen_is_the_language_of_the_messages(smtp, settings):
    settings.CARNET_NOTIFY_KICK = False
    user = citizen()
    signed_in(user).post(URL, choices(language="en"))
    services.notify_user(user.pk, "new_reminder", now=at(10))
    services.send_due(now=at(10))
    [mail] = smtp.received
    assert mail["subject"] == "New reminder in Carnet"


def test_a_daily_digest_at_18_groups_the_days_emails_into_one(smtp, settings):
    settings.CARNET_NOTIFY_KICK = False
    user = citizen()
    signed_in(user).post(URL, choices(frequency="daily", digest_hour="18"))
    for hour in (9, 12, 15):
        services.notify_user(user.pk, "new_reminder", now=at(hour))
    assert services.send_due(now=at(17, 59))["claimed"] == 0
    services.send_due(now=at(18))
    [mail] = smtp.received
    assert "3 nouvelles notifications" in mail["text"]


def test_in_app_stays_on_whatever_is_posted():
    user = citizen()
    services.update_preferences(user, in_app=False)
    signed_in(user).post(URL, choices(in_app=""))
    assert services.preferences(user).in_app is True


# --- bad input: says what to do, saves nothing -------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"quiet_start": "22:00"}, "quiet_end", "Give both the start and the end"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "choose another time"),
        ({"quiet_start": "25:99", "quiet_end": "07:00"}, "quiet_start", "such as 22:00"),
        ({"language": "de"}, "language", "Select a valid choice"),
        ({"frequency": "hourly"}, "frequency", "Select a valid choice"),
        ({"frequency": None}, "frequency", "one daily digest"),
        ({"digest_hour": "24"}, "digest_hour", "Select a valid choice"),
    ],
)
def test_a_bad_form_says_what_to_do_and_saves_nothing(changes, field, words):
    user = citizen()
    services.update_preferences(user, email=True, language="fr")
    before = services.preferences(user).updated_at
    response = signed_in(user).post(URL, choices(email=None, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert words in str(response.context["form"].errors[field])
    prefs = services.preferences(user)
    assert prefs.email is True and prefs.updated_at == before


def test_sms_cannot_be_turned_on_without_a_proved_number():
    user = citizen()
    signed_in(user).post(URL, choices(sms="on"))
    assert services.preferences(user).sms is False
    # The rule holds below the form too.
    with pytest.raises(Exception, match="type the code"):
        rules.save_choices(
            user,
            email=True,
            sms=True,
            language="fr",
            quiet_start=None,
            quiet_end=None,
            frequency="immediate",
            digest_hour=8,
        )
    assert services.preferences(user).sms is False


# --- proving a mobile number ----------------------------------------------------------------------
def test_a_code_by_sms_proves_the_number_and_turns_sms_on(gateway):
    user = citizen()
    client = signed_in(user)
    response = client.post(URL + "mobile/", {"phone": MOBILE})
    assert response.status_code == 302 and response["Location"].endswith("#sms-code")
    [sent] = gateway.posts
    assert sent["to"] == E164
    code = last_code(gateway)
    # The SMS carries the code and nothing else about the person.
    assert sent["text"] == rules.code_sms(code, "fr")
    assert sent["text"].startswith("Carnet : votre code de confirmation est ")
    # Nothing changes until the code comes back; the code itself is never stored.
    assert services.preferences(user).phone == ""
    assert code not in str(dict(client.session))
    page = client.get(URL).content.decode()
    assert 'name="code"' in page and E164 in page

    response = client.post(URL + "mobile/code/", {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    prefs = services.preferences(user)
    assert (prefs.phone, prefs.sms) == (E164, True)
    assert rules.SESSION_KEY not in client.session
    # Once used, the code is gone.
    assert client.post(URL + "mobile/code/", {"code": code}).status_code == 400


def test_a_wrong_code_is_refused_and_tries_are_limited(gateway):
    user = citizen()
    client = signed_in(user)
    client.post(URL + "mobile/", {"phone": MOBILE})
    code = last_code(gateway)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in range(rules.MAX_WRONG_CODES - 1, 0, -1):
        response = client.post(URL + "mobile/code/", {"code": wrong})
        assert response.status_code == 400
        assert f"({left} tries left)" in response.content.decode()
    response = client.post(URL + "mobile/code/", {"code": wrong})
    assert "too many times" in response.content.decode()
    # Even the right code is refused now: a new one is needed.
    response = client.post(URL + "mobile/code/", {"code": code})
    assert response.status_code == 400 and "Ask for a new code" in response.content.decode()
    assert services.preferences(user).sms is False and services.preferences(user).phone == ""


def test_a_code_expires_after_ten_minutes(gateway):
    user = citizen()
    store: dict = {}
    now = at(10)
    rules.start_phone_check(user, store, MOBILE, now=now)
    code = last_code(gateway)
    with translation.override("en"), pytest.raises(rules.PhoneCheckError, match="no longer valid"):
        rules.confirm_phone(user, store, code, now=now + rules.CODE_LIFETIME)
    assert services.preferences(user).phone == ""


def test_codes_sent_are_limited_per_day_even_across_sessions(gateway):
    user = citizen()
    for _ in range(rules.MAX_CODES_PER_DAY):
        rules.start_phone_check(user, {}, MOBILE)  # a fresh session each time
    response = signed_in(user).post(URL + "mobile/", {"phone": MOBILE})
    assert response.status_code == 400
    assert "try again tomorrow" in response.content.decode()
    assert len(gateway.posts) == rules.MAX_CODES_PER_DAY


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("01 45 67 89 10", "starting with 06 or 07"),  # a landline
        ("12", "This telephone number looks wrong"),  # one message for every number field
        ("", "Enter your mobile number"),
    ],
)
def test_a_number_that_cannot_get_sms_is_refused_before_any_sms(gateway, number, words):
    response = signed_in(citizen()).post(URL + "mobile/", {"phone": number})
    assert response.status_code == 400 and words in response.content.decode()
    assert gateway.posts == []


def test_numbers_in_international_form_are_accepted(gateway):
    user = citizen()
    assert rules.start_phone_check(user, {}, "+44 7700 900123").phone == "+447700900123"
    assert rules.start_phone_check(user, {}, "0033 7 12 34 56 78").phone == "+33712345678"


def test_a_new_number_replaces_the_old_only_once_proved_and_removing_stops_sms(gateway):
    user = citizen()
    client = signed_in(user)
    prove_number(client, gateway)
    client.post(URL + "mobile/", {"phone": "07 11 22 33 44"})
    assert services.preferences(user).phone == E164  # still the proved one
    client.post(URL + "mobile/code/", {"code": last_code(gateway)})
    assert services.preferences(user).phone == "+33711223344"
    client.post(URL + "mobile/retirer/")
    prefs = services.preferences(user)
    assert (prefs.phone, prefs.sms) == ("", False)
    assert "sms" not in {m.channel for m in services.notify_user(user.pk, "new_message")}


def test_a_gateway_that_fails_gets_a_message_and_no_code_is_kept(settings, gateway):
    gateway.fail_with = [503]
    client = signed_in(citizen())
    response = client.post(URL + "mobile/", {"phone": MOBILE})
    assert response.status_code == 400 and "could not be sent" in response.content.decode()
    assert rules.SESSION_KEY not in client.session


# --- Web Push ------------------------------------------------------------------------------------
def subscribe(client, endpoint=f"https://{PUSH_HOST}/wpush/v2/abc"):
    return client.post(
        "/notify/push/subscription",
        {"endpoint": endpoint, "keys": {"p256dh": "B" * 87, "auth": "A" * 22}},
        content_type="application/json",
    )


def test_web_push_is_offered_only_when_configured_and_turned_on_after_the_browser_allowed_it(
    settings, tmp_path
):
    settings.CARNET_WEBPUSH_HOSTS = [PUSH_HOST]
    user = citizen()
    client = signed_in(user)
    settings.CARNET_WEBPUSH_KEY_FILE = None
    assert 'id="push"' not in client.get(URL).content.decode()
    settings.CARNET_WEBPUSH_KEY_FILE = str(tmp_path / "vapid.pem")
    html = client.get(URL).content.decode()
    # Hidden until the script finds a browser that can do it; the script is a static file.
    assert re.search(r'id="push"[^>]*hidden', html)
    assert "/static/notify/push.js" in html

    # No browser allowed it yet: refused with what to do.
    response = client.post(URL + "push/", {"push": "on"}, follow=True)
    assert "Allow notifications in your browser first" in response.content.decode()
    assert services.preferences(user).push is False

    assert subscribe(client).status_code == 201
    client.post(URL + "push/", {"push": "on"})
    assert services.preferences(user).push is True
    assert "push" in {m.channel for m in services.notify_user(user.pk, "new_message")}
    # Turning off works without the script, and forgets every browser.
    assert 'class="push-off"' in client.get(URL).content.decode()
    client.post(URL + "push/", {"push": "off"})
    assert services.preferences(user).push is False
    assert not PushSubscription.objects.filter(user=user).exists()


# --- only one's own, and CSRF ----------------------------------------------------------------------
def test_the_page_only_ever_changes_the_signed_in_persons_preferences(gateway):
    alice, bob = citizen(), citizen("bob@example.org")
    services.update_preferences(alice, email=True, language="fr")
    bob_client = signed_in(bob)
    bob_client.post(URL, choices(email=None, language="en", user=str(alice.pk), user_id=alice.pk))
    assert services.preferences(bob).language == "en"
    alice_prefs = services.preferences(alice)
    assert (alice_prefs.email, alice_prefs.language) == (True, "fr")
    # A code sent for Alice cannot prove a number for Bob.
    alice_client = signed_in(alice)
    alice_client.post(URL + "mobile/", {"phone": MOBILE})
    code = last_code(gateway)
    assert bob_client.post(URL + "mobile/code/", {"code": code}).status_code == 400
    assert services.preferences(bob).phone == ""
    # Nor can state copied into another person's session.
    store = {rules.SESSION_KEY: dict(alice_client.session[rules.SESSION_KEY])}
    with pytest.raises(rules.PhoneCheckError):
        rules.confirm_phone(bob, store, code)
    assert services.preferences(bob).phone == ""


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (URL, choices(email=None)),
        (URL + "mobile/", {"phone": MOBILE}),
        (URL + "mobile/code/", {"code": "123456"}),
        (URL + "mobile/retirer/", {}),
        (URL + "push/", {"push": "off"}),
    ],
)
def test_every_change_needs_the_csrf_token(path, data, gateway):
    user = citizen()
    services.update_preferences(user, phone=E164, sms=True)
    client = signed_in(user, Client(enforce_csrf_checks=True))
    assert client.post(path, data).status_code == 403
    prefs = services.preferences(user)
    assert (prefs.email, prefs.phone, prefs.sms) == (True, E164, True)
    assert gateway.posts == []


def test_other_methods_are_refused():
    client = signed_in(citizen())
    assert client.put(URL).status_code == 405
    assert client.get(URL + "mobile/code/").status_code == 405
