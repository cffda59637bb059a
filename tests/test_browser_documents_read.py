"""Reading an imported DMP document in a real Chromium: the list and the document's page
(its sections and wide tables) pass axe-core and do not scroll sideways at 360 px or at
1280 px; a table wider than the screen scrolls on its own and is reachable with the
keyboard. Screenshots go to /tmp/carnet-shots/."""

import pytest

from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in,
    start_server,
)

from .helpers import DATA

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
EMAIL = "lea@example.org"
FILES = [
    DATA / "cda" / "fr" / "VAC_2023.01.xml",
    DATA / "cda" / "fr" / "CNAM-HR_2021.01.xml",
    DATA / "cda" / "fr" / "DOC_NON_STRUCTURE_CDA-R2-N1.xml",  # a scanned report, as a PDF
]


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(EMAIL, "citizen", "--name", "Léa")
        for path in FILES:
            srv.carnet("import", str(path), "--owner", EMAIL, "--quiet", "--as-me")
        yield srv
    finally:
        cleanup(srv)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_documents_and_a_cda_page_pass_axe_and_fit(server, chromium, viewport):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    page = context.new_page()
    problems = []
    sign_in(page, server, EMAIL)

    page.goto(server.url + "/dossier/documents/")
    assert page.locator(".doc-item").count() == len(FILES)
    assert "Document CDA, 53 ko" in page.inner_text("main")
    problems += check_page(page, "documents-cda", viewport)

    for n, title in enumerate(("Historique de vaccinations", "Données de remboursement")):
        page.goto(server.url + "/dossier/documents/")
        page.click(f".doc-title a:text('{title}')")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == title
        assert page.locator(".doc-section h2").count() >= 1
        assert page.locator(".doc-table table").count() >= 1
        problems += check_page(page, f"document-cda-{n}", viewport)
    page.goto(server.url + "/dossier/documents/")
    page.click(".doc-title a:text('Compte rendu d')")
    page.wait_for_load_state()
    assert page.locator("img.doc-page-preview").count() == 1
    problems += check_page(page, "document-cda-scanned", viewport)
    page.go_back()
    page.click(".doc-title a:text('Historique de vaccinations')")
    page.wait_for_load_state()
    # A wide table scrolls inside its own box, which the keyboard reaches.
    page.locator(".doc-table").first.focus()
    assert page.evaluate("document.activeElement.classList.contains('doc-table')")
    context.close()
    assert not problems, "\n".join(problems)
