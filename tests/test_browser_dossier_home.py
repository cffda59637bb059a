"""Karim's home page, an entry form and the documents page in a real Chromium, at 360 px and
1280 px: axe-core finds nothing, nothing scrolls sideways, and the home page of the diabetes
demo record fits on one 1280×800 screen. Screenshots go to /tmp/carnet-shots/."""

import pytest

from carnet.demo import personas
from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in_as,
    start_server,
)

from .files import pdf_with_text

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
KARIM = personas.DIABETIC


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo")
        yield srv
    finally:
        cleanup(srv)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_home_entry_form_and_documents(server, chromium, viewport):
    problems = []
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    sign_in_as(page, server, KARIM)

    page.goto(server.url + "/")
    assert page.locator("h1").inner_text() == "Mon dossier"
    assert page.locator("#h-problems").is_visible() and page.locator(".home-trend").count() >= 1
    problems += check_page(page, "dossier-home-karim", viewport)
    if viewport == "desktop":
        # What matters first fits on one screen: the six cards end above the fold.
        bottom = page.evaluate(
            "document.querySelector('.home-grid').getBoundingClientRect().bottom"
        )
        assert bottom <= VIEWPORTS["desktop"]["height"], f"the home cards end at {bottom}px"

    # Add an allergy with the keyboard-friendly form.
    page.goto(server.url + "/dossier/ajouter/allergie/")
    problems += check_page(page, "entry-allergy", viewport)
    page.select_option("#id_substance", "111088007")  # latex
    page.check("#id_serious")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert "/dossier/ajouter/" in page.url
    page.goto(server.url + "/")
    assert "latex" in page.inner_text("#h-allergies ~ ul, section[aria-labelledby=h-allergies]")

    # A measurement refused with a message, then accepted.
    page.goto(server.url + "/dossier/ajouter/tension/")
    page.fill("#id_systolic", "12")
    page.fill("#id_diastolic", "8")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() >= 1
    problems += check_page(page, "entry-bp-refused", viewport)

    # A treatment found in the medicine list as you type (the script), then saved.
    page.goto(server.url + "/dossier/ajouter/traitement/")
    page.fill("#id_query", "doliprane 500")
    page.wait_for_selector("#medicine-list input[type=radio]")
    problems += check_page(page, "entry-treatment-search", viewport)
    page.locator("#medicine-list input[type=radio]").first.check()
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert "/dossier/ajouter/" in page.url

    # Documents: upload a PDF, see it listed.
    page.goto(server.url + "/dossier/documents/")
    problems += check_page(page, "documents-empty", viewport)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "analyse.pdf", "mimeType": "application/pdf", "buffer": pdf_with_text()}],
    )
    page.select_option("#id_doc_type", "result")
    page.fill("#id_title", f"Analyse {viewport}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".doc-item").count() >= 1
    assert f"Analyse {viewport}" in page.inner_text("main")
    problems += check_page(page, "documents-list", viewport)
    context.close()
    assert not problems, "\n\n".join(problems)
