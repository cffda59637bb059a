"""A person turns research on and off at 360 px with the keyboard, and anyone reads the epidemic
watch: both pages axe-clean, no sideways scrolling (screenshots research-*.png)."""

from __future__ import annotations

import pytest

from tests.browser import check_page, cleanup, launch, require_chromium, sign_in, start_server

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

EMAIL = "margot@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(EMAIL, "citizen", "--name", "Margot Esquirol")
        yield srv
    finally:
        cleanup(srv)


def test_a_person_turns_research_on_and_off_and_reads_the_watch(server):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 360, "height": 740})
        sign_in(page, server, EMAIL)
        page.goto(server.url + "/compte/recherche/")
        assert "Ce qui n'est jamais partagé" in page.content()
        problems += check_page(page, "research-choice", "mobile")
        button = page.locator("form:has(input[value=research]) button")
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Activé" in page.locator("form:has(input[value=research])").inner_text()
        problems += check_page(page, "research-choice-on", "mobile")
        page.locator("form:has(input[value=research]) button").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Désactivé" in page.locator("form:has(input[value=research])").inner_text()
        page.goto(server.url + "/veille-epidemique/")
        assert "Veille épidémique" in page.content()
        problems += check_page(page, "research-watch", "mobile")
        browser.close()
    assert not problems, "\n".join(problems)
