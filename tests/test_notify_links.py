"""Each message links to the page that says more (a reminder to Rappels, a request to sharing)."""

import pytest
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.notify import events, links, services
from carnet.notify.models import Notification

SITE = "https://carnet.example.org"
# Messages about Carnet as a whole: the home page is their page.
HOME_EVENTS = {"digest", "test"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.CARNET_SITE_URL = SITE


def test_a_new_reminder_opens_the_rappels_page():
    assert events.url_for("new_reminder") == SITE + reverse("reminders:index")
    push = events.render_push("new_reminder", {}, "fr")
    assert push["url"] == SITE + "/rappels/"


def test_an_access_request_opens_the_pending_requests():
    url = events.url_for("access_request")
    assert url == SITE + reverse("coffre:sharing") + "#pending-title"
    sms = events.render("access_request", "sms", {"code": "123456"}, "fr")["text"]
    assert sms.endswith(url) and "123456" in sms


def test_a_practitioner_and_a_person_open_their_own_side():
    assert events.url_for("appointment_booked") == SITE + reverse("care:appointments")
    assert events.url_for("appointment_booked", "practitioner") == SITE + reverse("care:pro_agenda")
    assert events.url_for("new_message", "practitioner") == SITE + reverse("care:pro_conversations")
    assert events.url_for("new_message", "citizen") == SITE + reverse("care:conversations")


@pytest.mark.parametrize("event", sorted(events.EVENTS))
def test_no_event_opens_the_bare_home_page_unless_it_is_about_carnet_itself(event):
    for role in ("citizen", "practitioner"):
        url = events.url_for(event, role)
        assert url.startswith(SITE + "/")
        if event not in HOME_EVENTS:
            assert url != SITE + "/", f"{event} links to / instead of its page"


def test_every_named_page_exists():
    for event, (person, pro, _anchor) in links.LINKS.items():
        assert event in events.EVENTS, event
        reverse(person)
        if pro:
            reverse(pro)


def test_the_in_app_notification_links_to_its_page():
    user = accounts.create_user("links@example.org", None, role="citizen")
    services.notify_user(user.pk, "new_reminder", key="links-1")
    [note] = Notification.objects.filter(user=user)
    assert note.url == SITE + "/rappels/"
