"""Assisted at a help point, in two real Chromium contexts at 360 px, axe-clean: Henri makes
a code in his app; the advisor at France Services de Muret types it; both see the banner; the
advisor sets a reminder; Henri reads it in his history « en votre présence » and ends the
help; the advisor's next action is refused. Screenshots: /tmp/carnet-shots/helppoint-*."""

import re

import pytest

from tests.browser import check_page, cleanup, launch, require_chromium, sign_in, start_server

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

POINT = "France Services de Muret"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user("henri@example.org", "citizen", "--name", "Henri Marty")
        srv.create_user("claire@example.org", "advisor", "--name", "Claire Dupont")
        srv.carnet("helppoint", "add", POINT, "--kind", "france_services", "--town", "Muret")
        srv.carnet("helppoint", "advisor", "claire@example.org", POINT)
        yield srv
    finally:
        cleanup(srv)


def _context(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    return context, context.new_page()


def test_henri_is_helped_at_the_desk_and_ends_it(server):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = launch(p)
        _hc, henri = _context(browser)
        _cc, claire = _context(browser)

        sign_in(henri, server, "henri@example.org")
        henri.goto(server.url + "/aide-guichet/")
        problems += check_page(henri, "helppoint-person", "mobile")
        henri.click("main form[action='/aide-guichet/'] button[type=submit]")
        henri.wait_for_load_state()
        code = henri.inner_text("#help-code")
        assert re.fullmatch(r"\d{4} \d{4}", code) and code.replace(" ", "") not in henri.url
        problems += check_page(henri, "helppoint-code", "mobile")

        sign_in(claire, server, "claire@example.org")
        claire.goto(server.url + "/guichet/")
        problems += check_page(claire, "helppoint-desk", "mobile")
        claire.fill("input[name=code]", code)
        claire.click("main form[action='/guichet/code/'] button[type=submit]")
        claire.wait_for_load_state()
        assert claire.url.endswith("/guichet/aide/")
        banner = claire.inner_text(".help-banner")
        assert "Vous aidez Henri Marty" in banner and "rappels" in banner
        assert "Ordinateur partagé" in claire.inner_text(".kiosk-bar")  # kiosk mode
        problems += check_page(claire, "helppoint-assist", "mobile")

        claire.fill("input[name=title]", "Vaccin contre la grippe")
        claire.fill("input[name=day]", "2027-03-14")
        claire.fill("input[name=at]", "09:30")
        claire.click("main form[action='/guichet/aide/rappel/'] button[type=submit]")
        claire.wait_for_load_state()
        assert "Le rappel est dans l'agenda de la personne." in claire.inner_text("main")

        henri.goto(server.url + "/aide-guichet/")
        assert "Claire D., France Services de Muret, vous aide" in henri.inner_text(".help-banner")
        henri.goto(server.url + "/historique/")
        history = henri.inner_text("main")
        assert "avec Claire D., France Services de Muret, en votre présence" in history
        problems += check_page(henri, "helppoint-history", "mobile")

        henri.click(".help-banner button[type=submit]")  # « Terminer »
        henri.wait_for_load_state()
        assert henri.locator(".help-banner").count() == 0

        # Claire's page still shows the reminder form: her next action is refused.
        claire.fill("input[name=title]", "Rendez-vous cardiologue")
        claire.fill("input[name=day]", "2027-03-15")
        claire.fill("input[name=at]", "10:00")
        claire.click("main form[action='/guichet/aide/rappel/'] button[type=submit]")
        claire.wait_for_load_state()
        assert "Non autorisé" in claire.inner_text("main h1")
        problems += check_page(claire, "helppoint-refused", "mobile")
        claire.goto(server.url + "/guichet/")
        assert claire.locator(".help-banner").count() == 0
        browser.close()
    assert not problems, "\n".join(problems)
