"""Kiosk mode on the desk's shared computer: nothing cached, signed out after a few minutes
without activity (on the server, whatever the browser does, with the time shown on every
page and a countdown when JavaScript runs), and signing out ends the help session and clears
what the site left in the browser (Clear-Site-Data). The code fields keep nothing."""

from __future__ import annotations

from django.urls import reverse

from carnet.access import assistance
from carnet.accounts import sessions

from .helppoint import desk, desk_advisor, henri, open_session
from .people import english


def test_pages_are_not_kept_and_say_when_the_kiosk_signs_out(client, settings):
    settings.CARNET_KIOSK_IDLE_SECONDS = 180
    english(client)
    client.force_login(desk_advisor(desk(kiosk=True)))
    page = client.get(reverse("helppoint:desk"))
    assert page["Cache-Control"] == "no-store, max-age=0"
    html = page.content.decode()
    assert "Shared computer: without activity, you will be signed out at" in html
    assert 'class="kiosk-countdown" data-seconds="182" data-then="/guichet/"' in html
    assert 'http-equiv="refresh"' not in html  # axe refuses timed refreshes (WCAG 2.2.1)
    assert 'name="code" autocomplete="off"' in html
    assert client.session.get_expiry_age() == 180  # the server forgets the session too


def test_inactivity_signs_out_and_clears_the_site(client, settings, monkeypatch):
    settings.CARNET_KIOSK_IDLE_SECONDS = 180
    person, pid = henri()
    adv = desk_advisor(desk(kiosk=True))
    open_session(person, adv)
    t = [1_000_000.0]
    monkeypatch.setattr(sessions, "now", lambda: t[0])
    client.force_login(adv)
    assert client.get(reverse("helppoint:assist")).status_code == 200
    t[0] += 179
    assert client.get(reverse("helppoint:assist")).status_code == 200  # still there
    t[0] += 181
    gone = client.get(reverse("helppoint:assist"))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("account_login"))
    assert gone["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in client.session
    assert assistance.live_for_patient(pid) == []  # the help ended with the sign-out


def test_the_kiosk_sign_out_ends_the_help_and_clears_the_site(client):
    person, pid = henri()
    adv = desk_advisor(desk(kiosk=True))
    open_session(person, adv)
    client.force_login(adv)
    out = client.post(reverse("helppoint:sign_out"))
    assert out.status_code == 302 and out["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert assistance.live_for_patient(pid) == []
    assert client.get(reverse("helppoint:desk")).status_code == 302  # signed out


def test_a_desk_without_kiosk_mode_keeps_the_usual_session(client):
    english(client)
    client.force_login(desk_advisor(desk(kiosk=False)))
    page = client.get(reverse("helppoint:desk"))
    assert "Shared computer" not in page.content.decode()
    assert "kiosk-countdown" not in page.content.decode()
