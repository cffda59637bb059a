"""Reading the help centre: every question has its page, in plain words, with links into
Carnet; anyone can read them, signed in or not."""

import pytest
from django.urls import reverse

from carnet.helpdesk import articles
from carnet.helpdesk.urls import RESERVED

from .people import citizen, english

NEEDED = {
    "connexion",
    "double-authentification",
    "qui-voit",
    "partager",
    "masquer",
    "carte-urgence",
    "procuration",
    "enfant",
    "importer",
    "rappels",
    "calendrier",
    "telecharger-fermer",
    "jamais",
    "urgence",
    "vieux-telephone",
}


def test_the_index_lists_every_question_by_topic(client):
    html = english(client).get(reverse("helpdesk:index")).content.decode()
    for topic in articles.TOPICS:
        assert str(topic.title).replace("'", "&#x27;") in html
    for slug in articles.ARTICLES:
        assert reverse("helpdesk:article", args=[slug]) in html
    assert NEEDED <= set(articles.ARTICLES)


@pytest.mark.parametrize("slug", list(articles.ARTICLES))
def test_each_answer_has_its_page_and_links_into_carnet(client, slug):
    article = articles.get(slug)
    response = english(client).get(reverse("helpdesk:article", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{article.title}</h1>".replace("'", "&#x27;") in html
    assert article.links, "every answer says where to do it"
    for link in article.links:
        href = link.url_name if link.url_name.startswith("tel:") else reverse(link.url_name)
        assert f'href="{href}"' in html
    assert slug not in RESERVED


def test_the_emergency_answer_gives_the_numbers_as_call_links(client):
    html = english(client).get(reverse("helpdesk:article", args=["urgence"])).content.decode()
    for number in ("15", "112", "114", "3114"):
        assert f'href="tel:{number}"' in html
    assert "not an emergency service" in html


def test_an_unknown_question_is_not_found(client):
    assert client.get("/aide/nimporte-quoi/").status_code == 404


def test_it_is_french_by_default(client):
    html = client.get(reverse("helpdesk:index")).content.decode()
    assert '<html lang="fr" dir="ltr">' in html


def test_a_signed_in_citizen_reaches_it_from_the_menu_and_can_ask(client):
    english(client).force_login(citizen())
    html = client.get(reverse("helpdesk:article", args=["partager"])).content.decode()
    assert f'<a href="{reverse("helpdesk:index")}" aria-current="page">Help</a>' in html
    assert f'href="{reverse("helpdesk:ask")}?article=partager"' in html
