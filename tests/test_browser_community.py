"""Entraide in a real Chromium at 360 px, axe-clean: Léa joins the pregnancy group under a
pseudonym and asks a question; Camille Roux, a midwife who moderates it, lets it through and
answers (marked « professionnel de santé vérifié »); Karima's message, reported by Léa, is
hidden by the midwife and Karima reads why. Screenshots: /tmp/carnet-shots/community-*."""

import pytest

from tests.browser import (
    check_page,
    cleanup,
    launch,
    open_menu,
    require_chromium,
    sign_in,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

LEA = "lea@example.org"
KARIMA = "karima@example.org"
MIDWIFE = "camille.roux@example.org"
QUESTION = "Est-ce normal d'avoir des nausées le soir au troisième mois ?"
ANSWER = "Oui, c'est fréquent. Mangez léger le soir ; si vous vomissez tout, appelez-moi."
BAD = "Achetez mes tisanes miracles, elles remplacent le médecin."
REASON = "Pas de vente ici, et rien ne remplace un avis médical."


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(LEA, "citizen", "--name", "Léa Fontaine")
        srv.create_user(KARIMA, "citizen", "--name", "Karima Benali")
        srv.create_user(
            MIDWIFE, "practitioner", "--name", "Camille Roux", "--rpps", "10999990872",
            "--profession", "sage-femme",
        )  # fmt: skip
        srv.carnet("community", "moderator", MIDWIFE, "grossesse")
        yield srv
    finally:
        cleanup(srv)


def _page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    return context, context.new_page()


def _join(page, server, pseudonym):
    page.goto(server.url + "/")
    open_menu(page)
    page.click("nav.main-nav a[href='/entraide/']")
    page.click("a[href='/entraide/grossesse/rejoindre/']")
    page.fill("input[name=pseudonym]", pseudonym)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _ask(page, title, body):
    page.click("a[href='/entraide/grossesse/nouveau/']")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", body)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _let_through(page, server, text):
    page.goto(server.url + "/entraide/grossesse/moderation/")
    page.locator("li", has_text=text).locator("button[value=approve]").click()
    page.wait_for_load_state()


def test_lea_asks_the_midwife_answers_a_reported_post_is_hidden(server):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = launch(p)
        lea_ctx, lea = _page(browser)
        sign_in(lea, server, LEA)
        _join(lea, server, "Lune")
        problems += check_page(lea, "community-group", "mobile")
        _ask(lea, "Nausées au 3e mois", QUESTION)
        assert "En attente d’un modérateur" in lea.content()
        problems += check_page(lea, "community-thread-waiting", "mobile")
        thread_url = lea.url

        mid_ctx, mid = _page(browser)
        sign_in(mid, server, MIDWIFE)
        mid.goto(server.url + "/entraide/grossesse/moderation/")
        problems += check_page(mid, "community-moderation", "mobile")
        _let_through(mid, server, "nausées le soir")
        mid.goto(thread_url)
        mid.fill("textarea[name=body]", ANSWER)
        mid.click("main form[aria-labelledby=reply-title] button[type=submit]")
        mid.wait_for_load_state()

        lea.goto(thread_url)
        answer = lea.locator("li.community-post", has_text="Mangez léger")
        assert "professionnel de santé vérifié" in answer.inner_text()
        assert "sage-femme" in answer.inner_text()
        problems += check_page(lea, "community-thread-answered", "mobile")

        kar_ctx, kar = _page(browser)
        sign_in(kar, server, KARIMA)
        _join(kar, server, "Fleur")
        kar.goto(thread_url)  # Léa’s question is visible to the group now
        kar.fill("textarea[name=body]", BAD)
        kar.click("main form[aria-labelledby=reply-title] button[type=submit]")
        kar.wait_for_load_state()
        _let_through(mid, server, "tisanes miracles")

        lea.goto(thread_url)
        lea.locator("li.community-post", has_text="tisanes").locator(
            "a", has_text="Signaler"
        ).click()
        lea.fill("input[name=reason]", "Publicité")
        lea.click("main form button[type=submit]")
        lea.wait_for_load_state()

        mid.goto(server.url + "/entraide/grossesse/moderation/")
        mid.locator("li", has_text="Publicité").locator("a", has_text="Décider").click()
        mid.fill("input[name=hide-reason]", REASON)
        mid.click("button[value=hide]")
        mid.wait_for_load_state()
        problems += check_page(mid, "community-moderation-after", "mobile")

        lea.goto(thread_url)
        assert "tisanes" not in lea.content()
        kar.goto(server.url + "/entraide/grossesse/mes-avis/")
        notices = kar.locator("main").inner_text()
        assert "Message masqué" in notices and "Pas de vente ici" in notices
        problems += check_page(kar, "community-notices", "mobile")
        for ctx in (lea_ctx, mid_ctx, kar_ctx):
            ctx.close()
        browser.close()
    assert not problems, "\n".join(problems)
