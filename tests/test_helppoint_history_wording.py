"""Every action of the advisor lands in the person's history « with Claire D., France
Services de Muret, in your presence » (purpose assistance), refusals included."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from carnet.access import history
from carnet.access.services import Actor

from .helppoint import desk_advisor, henri, open_session
from .people import english


def test_the_history_says_who_where_and_in_your_presence(client):
    english(client)
    person, pid = henri()
    adv = desk_advisor()
    open_session(person, adv, ["reminders"])
    client.force_login(adv)
    done = client.post(
        reverse("helppoint:reminder"),
        {"title": "Vaccin grippe", "day": "2027-03-14", "at": "09:30"},
    )
    assert done.status_code == 302
    with translation.override("fr"):
        page = history.page(Actor.of_user(person), pid, history.Filters())
    assisted = [e for e in page.entries if e.purpose == "assistance"]
    assert [e.action for e in assisted] == ["update", "grant"]  # the reminder, the opening
    for e in assisted:
        assert e.who == "Claire D." and e.organisation == "France Services de Muret"
        assert e.why == "avec Claire D., France Services de Muret, en votre présence"
    assert (assisted[0].doing, assisted[0].what) == ("a ajouté", "un rappel dans votre agenda")
    assert "Vaccin" not in str(page)  # what the reminder says is not in the history


def test_the_advisor_never_reads_the_history_itself():
    import pytest

    from carnet.access.services import NotFound

    person, pid = henri()
    live = open_session(person, desk_advisor(), ["share", "read"])
    with pytest.raises(NotFound):
        history.page(live.actor(), pid, history.Filters())


def test_a_choice_made_at_the_desk_is_written_as_such():
    from carnet.helppoint import services

    person, pid = henri()
    adv = desk_advisor()
    paper = services.paper_codes(Actor.of_user(person), pid)
    checked = services.redeem(adv, paper[0])
    services.open_checked(adv, checked, ["reminders"])
    with translation.override("en"):
        page = history.page(Actor.of_user(person), pid, history.Filters())
    opened = next(e for e in page.entries if e.purpose == "assistance" and e.action == "grant")
    assert opened.because == (
        "you gave them a code and chose with them, on their screen, what they may do"
    )
