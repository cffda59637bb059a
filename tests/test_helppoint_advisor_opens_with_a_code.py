"""The advisor at the desk types the person's code: a code from the app opens the help
session with what the person chose; a paper code (or one sent by SMS) asks for the choice
on the advisor's screen, with the person, and the session says it was chosen at the desk.
Both sides then see the banner."""

from __future__ import annotations

import json

from django.urls import reverse

from carnet.access import assistance
from carnet.access.services import Actor
from carnet.helppoint import services

from .helppoint import code_for, desk_advisor, henri
from .people import english


def test_an_app_code_opens_the_session_with_the_persons_choice(client):
    english(client)
    person, pid = henri()
    adv = desk_advisor()
    client.force_login(adv)
    done = client.post(reverse("helppoint:code"), {"code": code_for(person, ["reminders"])})
    assert done.status_code == 302 and done["Location"] == reverse("helppoint:assist")
    live = assistance.live_for_advisor(adv.pk)
    assert live.patient_id == pid and live.scopes == ("reminders",) and live.chosen_on == "app"
    assert (live.expires_at - live.started_at).total_seconds() == 30 * 60
    assert live.helper == "Claire D." and live.place == "France Services de Muret"
    page = client.get(reverse("helppoint:assist")).content.decode()
    assert (
        "You are helping <strong><bdi>Henri Martin</bdi></strong> — set up reminders — until"
        in page
    )
    client.force_login(person)
    home = client.get(reverse("helppoint:person")).content.decode()
    assert "<bdi>Claire D.</bdi>, <bdi>France Services de Muret</bdi>, is helping you" in home


def test_a_paper_code_asks_for_the_choice_at_the_desk(client):
    english(client)
    person, pid = henri()
    codes = services.paper_codes(Actor.of_user(person), pid)
    adv = desk_advisor()
    client.force_login(adv)
    checked = client.post(reverse("helppoint:code"), {"code": codes[2]})
    assert checked.status_code == 302 and assistance.live_for_advisor(adv.pk) is None
    page = client.get(reverse("helppoint:desk")).content.decode()
    assert "The code is right: <bdi>Henri Martin</bdi>" in page
    assert codes[2] not in json.dumps(dict(client.session.items()))
    client.post(reverse("helppoint:choose"), {"scopes": ["import", "read"]})
    live = assistance.live_for_advisor(adv.pk)
    assert live.chosen_on == "desk" and live.scopes == ("read", "import")
    assert services.paper_codes_left(pid) == services.PAPER_CODES - 1


def test_a_code_sent_by_sms_to_the_persons_proved_number(client, settings, tmp_path):
    english(client)
    from carnet.notify import services as notify

    settings.CARNET_SMS_BACKEND = "file"
    settings.CARNET_SMS_FILE = tmp_path / "sms.jsonl"
    person, pid = henri()
    notify.update_preferences(person, phone="+33612345678")
    adv = desk_advisor()
    client.force_login(adv)
    client.post(reverse("helppoint:sms"), {"phone": "06 12 34 56 78"})
    sent = [json.loads(line) for line in settings.CARNET_SMS_FILE.read_text().splitlines()]
    assert len(sent) == 1 and sent[0]["to"] == "+33612345678"
    code = sent[0]["text"].split(" is ")[1][:9]
    client.post(reverse("helppoint:code"), {"code": code})
    client.post(reverse("helppoint:choose"), {"scopes": ["reminders"]})
    live = assistance.live_for_advisor(adv.pk)
    assert live.patient_id == pid and live.chosen_on == "sms"


def test_an_unknown_number_gets_the_same_answer_and_no_sms(client, settings, tmp_path):
    english(client)
    settings.CARNET_SMS_BACKEND = "file"
    settings.CARNET_SMS_FILE = tmp_path / "sms.jsonl"
    client.force_login(desk_advisor())
    answer = client.post(reverse("helppoint:sms"), {"phone": "06 99 99 99 99"}, follow=True)
    assert "If this number is the person&#x27;s in Carnet" in answer.content.decode()
    assert not settings.CARNET_SMS_FILE.exists()


def test_an_advisor_without_a_help_point_has_no_desk(client):
    english(client)
    from .people import advisor

    client.force_login(advisor("Ada"))
    assert client.get(reverse("helppoint:desk")).status_code == 404
    assert 'href="/guichet/"' not in client.get(reverse("home")).content.decode()
    client.force_login(desk_advisor())
    assert 'href="/guichet/"' in client.get(reverse("home")).content.decode()  # in the menu
