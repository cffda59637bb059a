"""The timeline, search, a result with its chart and an item page in a real Chromium:
axe-core finds nothing and nothing scrolls sideways, at 360 px and at 1280 px; the search
works with the keyboard alone. Screenshots go to /tmp/carnet-shots/."""

import json

import pytest

from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in,
    start_server,
)

from .timeline import record_bundle

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
EMAIL = "karim@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(EMAIL, "citizen", "--name", "Karim")
        bundle = srv.data_dir / "dmp.json"
        bundle.write_text(json.dumps(record_bundle()))
        srv.carnet("import", str(bundle), "--owner", EMAIL, "--quiet", "--as-me")
        yield srv
    finally:
        cleanup(srv)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_timeline_search_result_and_item_pass_axe_and_fit(server, chromium, viewport):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    problems = []
    sign_in(page, server, EMAIL)

    page.goto(server.url + "/dossier/chronologie/")
    assert page.locator(".tl-row").count() == 9
    problems += check_page(page, "dossier-timeline", viewport)

    page.select_option("#f-type", "results")
    with page.expect_navigation():
        page.click("main form.tl-filters button[type=submit]")
    assert page.locator(".tl-row").count() == 4
    problems += check_page(page, "dossier-timeline-results", viewport)

    # Search with the keyboard alone; the words never reach the address bar.
    page.goto(server.url + "/dossier/recherche/")
    page.focus("#q")
    page.keyboard.type("hémoglo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "hémoglo" not in page.url and "hemoglo" not in page.url
    assert page.locator(".tl-row").count() == 3
    problems += check_page(page, "dossier-search", viewport)

    # The latest HbA1c: its comment, value, label and chart.
    with page.expect_navigation():
        page.locator(".tl-row a").first.click()
    assert page.locator("svg[role=img] circle").count() == 3
    assert "Bien équilibré" in page.locator("main").inner_text()
    problems += check_page(page, "dossier-result", viewport)
    page.click("details summary")
    problems += check_page(page, "dossier-result-table", viewport)

    # An old treatment: provenance, the invitation to check it, a note.
    page.goto(server.url + "/dossier/chronologie/?type=treatments")
    with page.expect_navigation():
        page.locator(".tl-row a").first.click()
    assert page.locator(".item-fresh").count() == 1
    page.fill("textarea[name=text]", "Je le prends le matin.")
    with page.expect_navigation():
        page.click("form[action$='/note/'] button[type=submit]")
    assert page.locator("#h-history").count() == 1
    problems += check_page(page, "dossier-item", viewport)
    context.close()
    assert problems == []
