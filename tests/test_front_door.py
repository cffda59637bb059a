"""A visitor who has not signed in opens Carnet: the front door says what it is (issue 17).

In plain words, in the visitor's language: the record is theirs, free, public, encrypted,
never sold; « Créer mon carnet » and « Se connecter »; the emergency numbers; the help centre
and the help points. Plain HTML: every link works with no script.
"""

import re

from django.urls import reverse

from . import helpers


def _links(html: str) -> list[str]:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.findall(r'href="([^"]+)"', main)


def test_a_visitor_reads_what_carnet_is_in_french(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    for words in (
        "Votre dossier de santé, au même endroit, et à vous",
        "C’est gratuit. C’est un service public.",
        "Il est chiffré",
        "Il n’est jamais vendu. Aucune assurance, aucune banque, aucun employeur",
        "Créer mon carnet",
        "Se connecter",
        "France Services",
    ):
        assert words in html, words
    links = _links(html)
    assert reverse("account_signup") in links and reverse("account_login") in links
    assert reverse("helpdesk:index") in links
    for number in ("tel:15", "tel:112", "sms:114", "tel:3114"):
        assert number in links, number
    # No script is needed: plain links, nothing in the page that a script would have to run.
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "<script" not in main and " on" + "click=" not in main


def test_a_visitor_reads_it_in_arabic_right_to_left(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "سجلّك الصحي في مكان واحد، وهو مِلكٌ لك" in html
    assert "أنشئ سجلّي" in html and "في حالة الطوارئ، اتصل الآن" in html


def test_every_link_of_the_front_door_opens(client):
    html = client.get(reverse("home")).content.decode()
    pages = [href for href in _links(html) if href.startswith("/")]
    assert len(pages) >= 4
    for href in pages:
        assert client.get(href).status_code == 200, href


def test_a_signed_in_person_still_lands_on_their_own_home(client):
    client.force_login(helpers.citizen())
    response = client.get(reverse("home"))
    assert "web/front_door.html" not in [t.name for t in response.templates]
    assert "Mon dossier" in response.content.decode()
