"""Red-flag words (suicide, chest pain…) in any of the six languages show the emergency numbers
at once, 3114 first for suicidal thoughts, as the emergency chat does."""

import pytest
from django.urls import reverse

from carnet.community import checks
from carnet.community import services as community

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("J'ai une douleur dans la poitrine depuis ce matin", "chest_pain"),
        ("I want to kill myself", "suicide"),
        ("Tengo dolor en el pecho", "chest_pain"),
        ("أفكر في الانتحار", "suicide"),
        ("Estou com dor no peito", "chest_pain"),
        ("Göğüs ağrısı var", "chest_pain"),
        ("Je n'ai plus envie de vivre", "suicide"),
    ],
)
def test_red_flag_words_in_six_languages(text, flag):
    assert flag in checks.red_flags(text)


def test_ordinary_words_raise_nothing():
    assert checks.red_flags("J'ai mal au dos, des nausées et je suis fatiguée") == ()


def test_a_red_flag_post_shows_the_numbers_at_once(client):
    g = pregnancy_group()
    english(client).force_login(g.lea)
    post = community.start_thread(member(g.lea), "Ça ne va pas", "Bonjour")
    response = client.post(
        thread_url(post), {"body": "Je pense au suicide depuis hier"}, follow=True
    )
    html = response.content.decode()
    assert 'href="tel:3114"' in html and 'href="tel:15"' in html
    assert html.index("tel:3114") < html.index("tel:15")


def test_the_numbers_show_even_before_a_confirm_step(client):
    g = pregnancy_group()
    english(client).force_login(g.lea)
    response = client.post(
        reverse("community:new_thread", args=[GROUP]),
        {"title": "Aide", "body": "Douleur dans la poitrine, appelez le 06 12 34 56 78"},
    )
    html = response.content.decode()
    assert "a phone number" in html and 'href="tel:15"' in html
