"""« Mes proches »: a relative reaches the record of the person they act for in one tap from
home, and is told plainly when that access ended (when, and by whom)."""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnet.access import proxies
from carnet.access.models import Proxy
from carnet.access.services import Actor

from .emergency import readable_record
from .people import citizen, english, give


def _act_for_forms(html: str) -> list[tuple[str, str]]:
    """(action, button text) of every form on the page that switches to acting for someone."""
    return re.findall(
        r'<form method="post" action="(/mes-proches/\d+/agir/)">.*?<button type="submit">([^<]+)</button>',
        html,
        re.S,
    )


def test_from_home_one_tap_opens_the_relatives_record(client):
    henri, pid, _made = readable_record(citizen("Henri Marty"))
    sophie = citizen("Sophie Esquirol")
    give(henri, pid, sophie)
    english(client).force_login(sophie)
    home = client.get(reverse("home")).content.decode()
    forms = _act_for_forms(home)
    assert forms == [(reverse("coffre:act_for", args=[pid]), "Open the record of Henri Marty")]
    assert 'href="/mes-proches/"' in home  # « Mes proches » in the menu
    # The one tap: the button's form, and its answer is Henri's record.
    tapped = client.post(forms[0][0], follow=True)
    assert tapped.redirect_chain == [(reverse("coffre:proxy_record"), 302)]
    page = tapped.content.decode()
    assert "Metformine" in page and "acting-banner" in page


def test_no_menu_item_nor_card_for_someone_with_no_relatives(client):
    english(client).force_login(citizen("Bob Seul"))
    home = client.get(reverse("home")).content.decode()
    assert 'href="/mes-proches/"' not in home and "h-relatives" not in home
    assert _act_for_forms(home) == []


def test_the_relative_is_told_when_the_person_ended_the_access(client):
    henri, pid, _made = readable_record(citizen("Henri Marty", language="fr"))
    sophie = citizen("Sophie Esquirol", language="fr")
    proxy = give(henri, pid, sophie)
    client.force_login(sophie)
    client.post(reverse("coffre:act_for", args=[pid]))
    proxies.revoke_proxy(Actor.of_user(henri), pid, proxy.pk)
    day = timezone.localdate()
    said = f"Henri Marty a mis fin à votre accès le {day.day} "
    # Her old link (the record she was reading) leads to « Mes proches », which says why.
    old = client.get(reverse("coffre:proxy_record"), follow=True)
    assert old.redirect_chain[-1][0] == reverse("coffre:spaces")
    page = old.content.decode()
    assert page.count(said) >= 1 and "Metformine" not in page
    # Her home still shows the card and the menu entry, with the sentence, no button.
    home = client.get(reverse("home")).content.decode()
    assert said in home and _act_for_forms(home) == []
    # A button on an old page (form sent again) is answered with the same sentence.
    again = client.post(reverse("coffre:act_for", args=[pid]), follow=True)
    assert said in again.content.decode()


def test_an_access_that_expired_or_that_someone_else_ended_says_so():
    henri, pid, _made = readable_record(citizen("Henri Marty"))
    sophie, marie, paul = citizen("Sophie"), citizen("Marie Marty"), citizen("Paul")
    # Marie manages Henri's record (a mandate), and ends Paul's access for him.
    proxies.add_proxy(
        Actor.of_user(henri), pid, marie.pk, permissions=["read", "manage"], basis="mandate"
    )
    ended_by_marie = give(henri, pid, paul)
    proxies.revoke_proxy(Actor.of_user(marie), pid, ended_by_marie.pk)
    give(henri, pid, sophie)
    Proxy.objects.filter(proxy_id=sophie.pk).update(expires_at=timezone.now() - timedelta(days=2))
    c = english(Client())
    c.force_login(sophie)
    page = c.get(reverse("coffre:spaces")).content.decode()
    assert "Your access to the space of Henri Marty ended on" in page
    assert "the end date chosen" in page
    c.force_login(paul)
    page = c.get(reverse("coffre:spaces")).content.decode()
    assert "Marie Marty ended your access to the space of Henri Marty on" in page


def test_an_access_given_again_is_no_longer_said_ended():
    henri, pid, _made = readable_record(citizen("Henri Marty"))
    sophie = citizen("Sophie")
    proxies.revoke_proxy(Actor.of_user(henri), pid, give(henri, pid, sophie).pk)
    assert [e.how for e in proxies.ended_for(sophie)] == ["person"]
    give(henri, pid, sophie)
    assert proxies.ended_for(sophie) == []
    assert proxies.acts_for_anyone(sophie)
