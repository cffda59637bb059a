"""The Content-Security-Policy breaks nothing: a real Chromium reports no violation and no
script error on the pages of a citizen, a practitioner and a visitor."""

import pytest

from tests.browser import (
    check_page,
    cleanup,
    launch,
    reauthenticate_if_asked,
    require_chromium,
    sign_in,
)
from tests.browser import start_server as start

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

ANONYMOUS = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/nulle-part/",
]
CITIZEN = [
    "/",
    "/compte/",
    "/compte/fermer/",
    "/importer/",
    "/exporter/",
    "/dossier/ajouter/",
    "/dossier/ajouter/traitement/",
    "/partage/",
    "/historique/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/webauthn/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/email/",
    "/accounts/password/change/",
]
PRACTITIONER = ["/", "/compte/", "/pro/patients/", "/pro/demandes/"]


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start()
    try:
        srv.create_user("csp-citizen@example.org", "citizen", "--name", "Camille")
        srv.create_user(
            "csp-pro@example.org", "practitioner", "--name", "Dr Csp", "--rpps", "10101010102"
        )
        yield srv
    finally:
        cleanup(srv)


def _visit(browser, server, paths, email=None) -> list[str]:
    problems: list[str] = []
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: script error {exc}"))
    if email:
        sign_in(page, server, email)
    for path in paths:
        page.goto(server.url + path)
        if reauthenticate_if_asked(page):
            page.goto(server.url + path)
        page.wait_for_load_state("load")
        # Every page still has its stylesheet applied (a blocked sheet leaves no rules).
        assert page.evaluate("document.styleSheets.length") >= 1, path
    context.close()
    return problems


def test_no_page_trips_the_policy(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            problems = _visit(browser, server, ANONYMOUS)
            problems += _visit(browser, server, CITIZEN, "csp-citizen@example.org")
            problems += _visit(browser, server, PRACTITIONER, "csp-pro@example.org")
        finally:
            browser.close()
    assert problems == []


def test_the_policy_is_enforced_by_the_browser(server):
    """A sanity check of the test itself: an inline script is refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            seen = []
            page.on("console", lambda msg: seen.append(msg.text))
            page.goto(server.url + "/accounts/login/")
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
            )
            assert page.evaluate("window.__ran") is None
            assert any("Content Security Policy" in text for text in seen)
        finally:
            browser.close()


def test_the_error_page_is_accessible_and_shows_the_request_id(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(locale="fr-FR")
            response = page.goto(server.url + "/nulle-part/?nir=1234567890123")
            assert response.status == 404
            assert response.headers["x-request-id"] in page.inner_text("main")
            assert check_page(page, "error-404", "desktop") == []
        finally:
            browser.close()
