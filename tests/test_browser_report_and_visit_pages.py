"""A lab report's page (its results) and a visit's page (what the record holds from it), and
a blood pressure's chart, in a real Chromium: axe-core clean, no sideways scroll at 360 px
or 1280 px, every result one keyboard step away. Screenshots go to /tmp/carnet-shots/."""

import pytest

from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in,
    start_server,
)

from .helpers import synthea

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
EMAIL = "gustavo@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(EMAIL, "citizen", "--name", "Gustavo")
        srv.carnet("import", str(synthea("Gustavo")), "--owner", EMAIL, "--quiet", "--as-me")
        yield srv
    finally:
        cleanup(srv)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_report_visit_and_blood_pressure_pages_pass_axe_and_fit(server, chromium, viewport):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    problems = []
    sign_in(page, server, EMAIL)

    page.goto(server.url + "/dossier/chronologie/")
    page.click(".tl-link:has-text('Bilan lipidique')")
    page.wait_for_load_state()
    assert page.locator("#h-report").count() == 1
    assert page.locator(".item-linked li a").count() == 4
    problems += check_page(page, "report-lipid-panel", viewport)
    page.locator(".item-linked li a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Cholestérol total"

    page.goto(server.url + "/dossier/chronologie/")
    page.click(".tl-link:has-text('Bilan de santé')")
    page.wait_for_load_state()
    assert page.locator("#h-visit").count() == 1
    assert page.locator("#h-visit ~ h3").count() >= 3
    problems += check_page(page, "visit", viewport)

    page.goto(server.url + "/dossier/chronologie/")
    page.click(".tl-link:has-text('Tension artérielle')")
    page.wait_for_load_state()
    assert page.locator("svg polyline").count() == 2
    problems += check_page(page, "blood-pressure-chart", viewport)
    context.close()
    assert not problems, "\n".join(problems)
