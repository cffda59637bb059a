"""Turning « Facile à lire » on and off: from the header of any page (kept on the account once
signed in, in a cookie for a visitor), or on the account page; a bad form changes nothing."""

from __future__ import annotations

from django.urls import reverse

from carnet.web import easy_read

from .helpers import citizen

SWITCH = "/facile-a-lire/"


def test_the_switch_is_in_the_header_of_every_page(client):
    page = client.get(reverse("helpdesk:index")).content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert f'action="{SWITCH}"' in header
    assert 'name="easy_read" value="1"' in header and "Facile à lire" in header
    assert 'name="next" value="/aide/"' in header


def test_a_signed_in_person_turns_it_on_and_off(client):
    me = citizen()
    client.force_login(me)
    on = client.post(SWITCH, {"easy_read": "1", "next": "/rappels/"})
    assert on.status_code == 302 and on["Location"] == "/rappels/"
    me.refresh_from_db()
    assert me.easy_read is True
    header = client.get("/rappels/").content.decode().split("</header>", 1)[0]
    assert 'name="easy_read" value="0"' in header and "Revenir au texte habituel" in header

    off = client.post(SWITCH, {"easy_read": "0", "next": "/rappels/"})
    assert off.status_code == 302
    me.refresh_from_db()
    assert me.easy_read is False


def test_a_visitor_keeps_it_in_a_cookie(client):
    client.post(SWITCH, {"easy_read": "1", "next": "/accounts/signup/"})
    assert client.cookies[easy_read.COOKIE].value == "1"
    page = client.get(reverse("account_signup")).content.decode()
    assert "data-easy-read" in page and "Créer mon carnet" in page
    client.post(SWITCH, {"easy_read": "0", "next": "/accounts/signup/"})
    assert client.cookies[easy_read.COOKIE].value == ""
    assert "data-easy-read" not in client.get(reverse("account_signup")).content.decode()


def test_a_bad_form_is_told_and_changes_nothing(client):
    me = citizen()
    client.force_login(me)
    bad = client.post(SWITCH, {"easy_read": "yes"})
    assert bad.status_code == 400
    assert "Facile à lire" in bad.content.decode()
    me.refresh_from_db()
    assert me.easy_read is False
    assert client.get(SWITCH).status_code == 405


def test_it_never_sends_the_person_to_another_site(client):
    out = client.post(SWITCH, {"easy_read": "1", "next": "https://example.com/"})
    assert out.status_code == 302 and out["Location"] == "/"


def test_the_account_page_keeps_the_choice(client):
    me = citizen()
    client.force_login(me)
    assert 'name="easy_read"' in client.get(reverse("accounts:account")).content.decode()
    saved = client.post(
        reverse("accounts:profile"), {"display_name": "", "language": "fr", "easy_read": "on"}
    )
    assert saved.status_code == 302
    me.refresh_from_db()
    assert me.easy_read is True
    assert "data-easy-read" in client.get(reverse("home")).content.decode()
