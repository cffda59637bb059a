"""Help centre in a real Chromium at 360 px: search, read an answer, ask an advisor; the
advisor answers in a second browser context; axe-clean, nothing scrolls sideways.
Screenshots go to /tmp/carnet-shots/ (helpdesk-*)."""

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

QUESTION = "Comment donner une procuration à ma fille ?"
ANSWER = "Ouvrez « Procurations » dans le menu Partage, puis ajoutez l'adresse de votre fille."


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user("henri@example.org", "citizen", "--name", "Henri Marty")
        srv.create_user("elodie@example.org", "advisor", "--name", "Élodie Lalande")
        yield srv
    finally:
        cleanup(srv)


def _context(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    return context, context.new_page()


def _search(page, words):
    page.fill("form.help-search input[name=q]", words)
    page.click("form.help-search button[type=submit]")
    page.wait_for_load_state()


def test_search_read_ask_and_an_advisor_answers(server):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = launch(p)
        henri_ctx, henri = _context(browser)
        # A visitor reads the help centre before signing in.
        henri.goto(server.url + "/aide/")
        problems += check_page(henri, "helpdesk-index-visitor", "mobile")
        assert henri.locator("a[href='tel:15']").count() == 1

        sign_in(henri, server, "henri@example.org")
        henri.goto(server.url + "/")
        open_menu(henri)
        henri.click("nav.main-nav a[href='/aide/']")
        problems += check_page(henri, "helpdesk-index", "mobile")

        _search(henri, "MEDECIN traitant")
        assert "/aide/recherche/" in henri.url and "MEDECIN" not in henri.url
        results = henri.locator("ol.help-results li a")
        assert results.count() >= 2
        problems += check_page(henri, "helpdesk-search", "mobile")

        henri.click("ol.help-results a[href='/aide/qui-voit/']")
        henri.wait_for_load_state()
        assert henri.locator("main a[href='/partage/']").count() >= 1
        problems += check_page(henri, "helpdesk-article", "mobile")

        henri.click("main a[href='/aide/']")
        _search(henri, "zzqx wobble")
        problems += check_page(henri, "helpdesk-no-result", "mobile")
        henri.click("main form input[name=step] >> xpath=.. >> button")
        henri.wait_for_load_state()
        assert henri.input_value("input[name=subject]") == "zzqx wobble"
        henri.fill("input[name=subject]", "Procuration pour ma fille")
        henri.fill("textarea[name=text]", QUESTION)
        problems += check_page(henri, "helpdesk-ask", "mobile")
        henri.click("form.help-form button[type=submit]")
        henri.wait_for_load_state()
        assert "/aide/questions/" in henri.url
        thread_url = henri.url
        assert QUESTION in henri.inner_text("main")
        problems += check_page(henri, "helpdesk-thread-waiting", "mobile")

        # The advisor, in a second browser context.
        elodie_ctx, elodie = _context(browser)
        sign_in(elodie, server, "elodie@example.org")
        elodie.goto(server.url + "/")
        problems += check_page(elodie, "helpdesk-advisor-home", "mobile")
        open_menu(elodie)
        elodie.click("nav.main-nav a[href='/aide/conseil/']")
        elodie.wait_for_load_state()
        problems += check_page(elodie, "helpdesk-inbox", "mobile")
        elodie.click("text=Procuration pour ma fille")
        elodie.wait_for_load_state()
        assert QUESTION in elodie.inner_text("main")
        elodie.fill("textarea[name=text]", ANSWER)
        problems += check_page(elodie, "helpdesk-advisor-thread", "mobile")
        elodie.click("form.help-form button[type=submit]")
        elodie.wait_for_load_state()
        assert elodie.url.endswith("/aide/conseil/")
        elodie_ctx.close()

        # Henri reads the answer and says his question is answered.
        henri.goto(thread_url)
        assert ANSWER in henri.inner_text("main")
        assert "Élodie Lalande" in henri.inner_text("main")
        problems += check_page(henri, "helpdesk-thread-answered", "mobile")
        henri.click("form.help-close button")
        henri.wait_for_load_state()
        assert henri.locator("textarea[name=text]").count() == 0
        assert ANSWER in henri.inner_text("main")
        problems += check_page(henri, "helpdesk-thread-closed", "mobile")
        henri.goto(server.url + "/aide/mes-questions/")
        problems += check_page(henri, "helpdesk-mine", "mobile")
        henri_ctx.close()
        browser.close()
    assert not problems, "\n\n".join(problems)
