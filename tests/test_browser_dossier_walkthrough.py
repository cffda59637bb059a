"""Issue 4, "Done when": a new person walks through the Dossier in a real Chromium, at 360 px
and at 1280 px, and every page they see passes axe-core with nothing scrolling sideways.

They sign in, read their (empty) home page, add an allergy and a weight, upload a PDF and
find it by a word inside it, import each French CDA document of the shared folder and each
wearable file that has a ground truth (the FIT files with a CSV, the GPX, the Apple Health
export) through the import page, then print the summary of their record (the page, its PDF
and the emergency card). Screenshots go to /tmp/carnet-shots/.
"""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in,
    start_server,
)
from tests.helpers import DATA

from .files import pdf_with_text

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

CDA_FR = sorted((DATA / "cda" / "fr").glob("*.xml"))
FIT_FILES = DATA / "wearables" / "fit" / "tests" / "files"
# The FIT files whose records have a CSV ground truth, the GPX and the Apple Health export.
WEARABLES = [
    *sorted(
        p.with_name(p.name.removesuffix("-records.csv") + ".fit")
        for p in FIT_FILES.glob("*-records.csv")
    ),
    *sorted((DATA / "wearables" / "gpx").glob("*.gpx")),
    DATA / "wearables" / "apple-health" / "export.xml",
]
PDF_WORD = "scintigraphie"


def _has_route(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture(scope="module")
def server():
    require_chromium()
    assert CDA_FR and all(p.exists() for p in WEARABLES), f"test data missing under {DATA}"
    srv = start_server()
    try:
        for viewport in VIEWPORTS:
            srv.create_user(f"nouvelle.{viewport}@example.org")
        yield srv
    finally:
        cleanup(srv)


def _import(page, server, path) -> str:
    """Send one file through the import page; the h1 of the result page."""
    page.goto(server.url + "/importer/")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    # The progress page polls, then reloads itself with the result.
    page.wait_for_selector(
        "h1:text-matches('Fichier importé|Fichier refusé|Import arrêté')", timeout=60000
    )
    return page.locator("h1").inner_text()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_new_person_walks_through_the_dossier(server, chromium, viewport):
    problems: list[str] = []
    context = chromium.new_context(
        viewport=VIEWPORTS[viewport], locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()

    # Log in, read the home page.
    page.goto(server.url + "/accounts/login/")
    problems += check_page(page, "walk-login", viewport)
    sign_in(page, server, f"nouvelle.{viewport}@example.org")
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text() == "Mon dossier"
    problems += check_page(page, "walk-home-empty", viewport)

    # Add an allergy and a measurement.
    page.goto(server.url + reverse("records:entry_add", args=["allergie"]))
    problems += check_page(page, "walk-entry-allergy", viewport)
    page.select_option("#id_substance", "111088007")  # latex
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 0
    page.goto(server.url + reverse("records:entry_add", args=["poids"]))
    problems += check_page(page, "walk-entry-weight", viewport)
    page.fill("#id_value", "72")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 0
    page.goto(server.url + "/")
    assert "latex" in page.inner_text("section[aria-labelledby=h-allergies]").lower()
    assert "72" in page.inner_text("section[aria-labelledby=h-vitals]")
    problems += check_page(page, "walk-home", viewport)

    # Upload a PDF, then find it by a word inside it.
    page.goto(server.url + reverse("records:documents"))
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "examen.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_with_text(f"Compte rendu de {PDF_WORD} thyroidienne"),
            }
        ],
    )
    page.select_option("#id_doc_type", "result")
    page.fill("#id_title", "Examen de la thyroïde")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Examen de la thyroïde" in page.inner_text("main")
    problems += check_page(page, "walk-documents", viewport)
    if _has_route("records:search"):
        page.goto(server.url + reverse("records:search"))
        page.fill("#q", PDF_WORD.upper())
        page.click("main form[role=search] button[type=submit]")
        page.wait_for_load_state()
        # The one document holding that word (the search rows name its kind and date).
        assert page.locator(".tl-row").count() == 1, page.inner_text("main")
        assert "Document" in page.inner_text(".tl-row")
        problems += check_page(page, "walk-search", viewport)

    # Import each French CDA document and each wearable ground-truth file.
    page.goto(server.url + reverse("records:import"))
    problems += check_page(page, "walk-import", viewport)
    refused = []
    # Every file once (at desktop width); at 360 px one of each kind, for the same pages.
    files = [*CDA_FR, *WEARABLES] if viewport == "desktop" else [CDA_FR[0], WEARABLES[0]]
    for path in files:
        title = _import(page, server, path)
        if title != "Fichier importé":
            refused.append(f"{path.name}: {title}: {page.inner_text('main')[:300]}")
        elif path in (CDA_FR[0], WEARABLES[0]):  # the same result page for each file
            problems += check_page(page, f"walk-imported-{path.stem}", viewport)
    assert not refused, "\n".join(refused)

    # Print the summary: from the home page to the summary, its PDF and the emergency card.
    page.goto(server.url + "/")
    problems += check_page(page, "walk-home-full", viewport)
    page.click(f"main a[href='{reverse('records:summary')}']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Résumé de mon dossier de santé" or page.url.endswith(
        reverse("records:summary")
    )
    body = page.inner_text("main").lower()
    assert "latex" in body
    problems += check_page(page, "walk-summary", viewport)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()  # paper shows the record only
    assert not page.locator(".paper-actions").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click(f"a[href='{reverse('records:summary_pdf')}']")
    pdf = download.value
    assert pdf.suggested_filename.startswith("carnet-resume-")
    with open(pdf.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    page.click(f"main a[href='{reverse('records:card')}']")
    page.wait_for_load_state()
    assert "latex" in page.inner_text(".card-urgence").lower()
    problems += check_page(page, "walk-card", viewport)
    with page.expect_download() as download:
        page.click(f"a[href='{reverse('records:card_pdf')}']")
    assert download.value.suggested_filename == "carnet-carte-urgence.pdf"
    context.close()
    assert not problems, "\n\n".join(problems)
