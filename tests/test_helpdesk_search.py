"""Searching the help centre: by POST only, accent- and case-insensitive, titles first,
and a way to ask a person when nothing matches."""

from django.urls import reverse
from django.utils import translation

from carnet.helpdesk import search

from .people import citizen, english


def _post(client, q):
    return client.post(reverse("helpdesk:search"), {"q": q})


def test_it_finds_answers_without_accents_or_capitals(client):
    html = _post(english(client), "MEDECIN TRAITANT").content.decode()
    assert reverse("helpdesk:article", args=["qui-voit"]) in html
    with translation.override("fr"):
        plain = [r.article.slug for r in search.search("medecin traitant")]
        accented = [r.article.slug for r in search.search("Médecin Traitant")]
    assert plain == accented and "qui-voit" in plain


def test_it_puts_title_matches_first():
    with translation.override("en"):
        results = search.search("emergency card")
    slugs = [r.article.slug for r in results]
    assert slugs[0] == "carte-urgence"  # both words in its title
    assert slugs.index("urgence") < slugs.index("qui-voit")  # "emergency" in the title vs the text
    assert results[0].title_hits == 2
    assert all(a.title_hits >= b.title_hits for a, b in zip(results, results[1:], strict=False))


def test_plurals_and_little_words_do_not_get_in_the_way():
    with translation.override("en"):
        assert search.query_terms("How do I share my record with the doctors?") == [
            "share",
            "record",
            "doctors",
        ]
        slugs = [r.article.slug for r in search.search("the doctors")]
    assert "partager" in slugs
    with translation.override("fr"):
        # English words find the answers whatever the page's language.
        assert "procuration" in [r.article.slug for r in search.search("proxy")]


def test_the_words_never_go_into_an_address(client):
    english(client)
    index = client.get(reverse("helpdesk:index")).content.decode()
    assert 'method="post" action="/aide/recherche/"' in index
    response = client.get(reverse("helpdesk:search") + "?q=diabete")
    assert response.status_code == 302 and response["Location"] == reverse("helpdesk:index")
    response = _post(client, "password")
    assert response.status_code == 200 and "password" in response.content.decode()


def test_no_result_says_how_to_ask_a_person(client):
    person = citizen()
    english(client).force_login(person)
    html = _post(client, "zzqx wobble").content.decode()
    assert "No answer matches" in html and "zzqx wobble" in html
    assert 'action="/aide/demander/"' in html and 'name="step" value="prefill"' in html
    assert "tel:15" in html  # the emergency numbers, in case that is what the person needs


def test_no_result_for_a_visitor_asks_them_to_sign_in(client):
    html = _post(english(client), "zzqx").content.decode()
    assert "No answer matches" in html
    assert f"{reverse('account_login')}?next={reverse('helpdesk:ask')}" in html


def test_an_empty_search_says_what_to_type(client):
    response = _post(english(client), "   ")
    assert response.status_code == 400
    assert "Type a few words to search" in response.content.decode()


def test_words_of_every_script_count():
    """Arabic and Turkish words are words (not only a to z); French words find answers on
    an Arabic page, as a person in France meets them (« carte d'urgence »)."""
    assert search.words("كيف أشارك ملفي") == ["كيف", "اشارك", "ملفي"]
    assert search.words("Kayıt İLAÇ şifre") == ["kayıt", "ilac", "sifre"]
    assert search.query_terms("كيف أشارك ملفي") == ["اشارك", "ملفي"]  # « how » says nothing
    with translation.override("ar"):
        slugs = [r.article.slug for r in search.search("carte d'urgence")]
    assert slugs[0] == "carte-urgence"
