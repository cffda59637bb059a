"""Every page in a real Chromium: axe-core finds nothing, nothing scrolls sideways at 360 px,
and sign-in works with the keyboard alone. Screenshots go to /tmp/carnet-shots/."""

import json
import re
import time

import pytest

from tests.browser import (
    PASSWORD,
    VIEWPORTS,
    check_page,
    cleanup,
    reauthenticate_if_asked,
    require_chromium,
    sign_in,
    small_bundle,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user("camille@example.org", "citizen", "--name", "Camille")
        srv.create_user(
            "dr.martin@example.org",
            "practitioner",
            "--name",
            "Dr Martin",
            "--rpps",
            "10101010101",
            "--profession",
            "médecin généraliste",
        )
        for viewport in VIEWPORTS:
            srv.create_user(f"mfa-{viewport}@example.org", "citizen")
            srv.create_user(f"close-{viewport}@example.org", "citizen")
        yield srv
    finally:
        cleanup(srv)


def _page(chromium, viewport):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale="fr-FR")
    return context, context.new_page()


def _upload(page, server, content: bytes, name: str) -> None:
    page.goto(server.url + "/importer/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": name, "mimeType": "application/json", "buffer": content}],
    )
    page.click("main form button[type=submit]")
    # The progress page polls, then reloads itself with the result.
    page.wait_for_selector(
        "h1:text-matches('Fichier importé|Fichier refusé|À qui est ce fichier')", timeout=60000
    )


def _someone(family: str, born: str, code: str) -> bytes:
    """A small file about a named person, with one health problem coded in SNOMED CT."""
    entries = [
        {
            "fullUrl": "urn:uuid:p",
            "resource": {
                "resourceType": "Patient",
                "name": [{"family": family, "given": ["Camille"]}],
                "birthDate": born,
            },
        },
        {
            "fullUrl": "urn:uuid:c",
            "resource": {
                "resourceType": "Condition",
                "code": {
                    "coding": [{"system": "http://snomed.info/sct", "code": code}],
                    "text": "Asthme",
                },
                "subject": {"reference": "urn:uuid:p"},
            },
        },
    ]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_passes_axe_and_fits(server, chromium, viewport):
    problems = []
    context, page = _page(chromium, viewport)

    for name, path in [
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
        ("goodbye", "/au-revoir/"),
    ]:
        page.goto(server.url + path)
        problems += check_page(page, name, viewport)

    sign_in(page, server, "camille@example.org")
    page.goto(server.url + "/")
    problems += check_page(page, "home-empty", viewport)

    _upload(page, server, small_bundle(), "mon-export.json")
    assert page.locator("h1").inner_text() == "Fichier importé"
    problems += check_page(page, "import-done", viewport)

    _upload(page, server, b'{"resourceType": "Bundle", "entry": [', "coupé.json")
    assert page.locator("h1").inner_text() == "Fichier refusé"
    problems += check_page(page, "import-refused", viewport)

    # A mistyped code: imported, with the warning listed.
    _upload(page, server, _someone("Durand", "1980-02-03", "34552-0"), "durand.json")
    assert page.locator("h1").inner_text() == "Fichier importé"
    assert "avertissement" in page.inner_text("main")
    problems += check_page(page, "import-warnings", viewport)
    # Someone else's file: Carnet asks, and a mistake imports nothing.
    _upload(page, server, _someone("Turner", "2004-07-22", "195967001"), "autre.json")
    assert page.locator("h1").inner_text().startswith("À qui est ce fichier")
    problems += check_page(page, "import-ask", viewport)
    page.check("input[value=cancel]")
    page.click("main form button[type=submit]")
    assert page.locator("h1").inner_text() == "Rien n’a été importé"
    problems += check_page(page, "import-cancelled", viewport)

    page.goto(server.url + "/compte/")
    page.fill("#id_name", f"Appli {viewport}")
    page.click("form[action$='/compte/cles/'] button[type=submit]")
    page.wait_for_selector("#raw-token")
    assert page.input_value("#raw-token").strip().startswith("carnet_")
    problems += check_page(page, "token-created", viewport)

    for name, path in [
        ("home", "/"),
        ("account", "/compte/"),
        ("close", "/compte/fermer/"),
        ("import", "/importer/"),
        ("export", "/exporter/"),
        ("mfa-index", "/accounts/2fa/"),
        ("totp-activate", "/accounts/2fa/totp/activate/"),
        ("webauthn-list", "/accounts/2fa/webauthn/"),
        ("webauthn-add", "/accounts/2fa/webauthn/add/"),
        ("password-change", "/accounts/password/change/"),
        ("email", "/accounts/email/"),
        ("logout", "/accounts/logout/"),
    ]:
        page.goto(server.url + path)
        if "/reauthenticate/" in page.url:
            problems += check_page(page, "reauthenticate", viewport)
            reauthenticate_if_asked(page)
            assert path in page.url
        problems += check_page(page, name, viewport)

    page.goto(server.url + "/")
    assert "Résultats et mesures" in page.inner_text("main")
    context.close()

    context, page = _page(chromium, viewport)
    sign_in(page, server, "dr.martin@example.org")
    page.goto(server.url + "/")
    problems += check_page(page, "welcome-practitioner", viewport)
    page.goto(server.url + "/importer/")
    problems += check_page(page, "no-record", viewport)
    context.close()

    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_two_step_sign_in_pages(server, chromium, viewport):
    """Turn on a code app, keep the recovery codes, then sign in again with a code."""
    from allauth.mfa.totp.internal.auth import hotp_value

    problems = []
    email = f"mfa-{viewport}@example.org"
    context, page = _page(chromium, viewport)
    sign_in(page, server, email)
    page.goto(server.url + "/accounts/2fa/totp/activate/")
    reauthenticate_if_asked(page)
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", f"{hotp_value(secret, int(time.time()) // 30):06d}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(server.url + "/accounts/2fa/recovery-codes/")
    problems += check_page(page, "recovery-codes", viewport)
    codes = re.findall(r"\b[0-9a-z]{8}\b", page.input_value("#recovery_codes"))
    assert codes, "no recovery code shown"
    page.goto(server.url + "/accounts/2fa/")
    problems += check_page(page, "mfa-index-active", viewport)
    context.close()

    context, page = _page(chromium, viewport)
    sign_in(page, server, email)
    assert "/accounts/2fa/authenticate/" in page.url
    problems += check_page(page, "mfa-authenticate", viewport)
    page.fill("input[name=code]", codes[0])
    page.click("main form button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert page.locator("h1").inner_text() == "Mon dossier"
    context.close()
    assert not problems, "\n\n".join(problems)


def test_signing_in_with_the_keyboard_alone(server, chromium):
    context, page = _page(chromium, "mobile")
    page.goto(server.url + "/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return {cls: e.className, outline: s.outlineStyle, top: e.getBoundingClientRect().top}; })()"
    )
    # The first stop is the skip link; it shows itself and has a visible focus ring.
    assert focused["cls"] == "skip" and focused["outline"] != "none" and focused["top"] >= 0
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "login":
            break
    else:
        pytest.fail("the email field cannot be reached with Tab")
    page.keyboard.type("camille@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/")
    assert page.locator("h1").inner_text() == "Mon dossier"
    # On a phone the menu is folded behind its button, which the keyboard opens and Escape
    # closes; it marks the current page.
    toggle = page.locator("nav.main-nav .menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("nav.main-nav a[href='/partage/']").is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("nav a[aria-current=page]").inner_text() == "Mon dossier"
    assert page.locator("nav.main-nav a[href='/partage/']").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("nav.main-nav a[href='/partage/']").is_visible()
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    context.close()


def test_on_a_wide_screen_the_menu_is_not_folded(server, chromium):
    context, page = _page(chromium, "desktop")
    sign_in(page, server, "camille@example.org")
    assert not page.locator("nav.main-nav .menu-toggle").is_visible()
    assert page.locator("nav.main-nav a[href='/partage/']").is_visible()
    context.close()


def test_closing_an_account_in_the_browser(server, chromium):
    context, page = _page(chromium, "mobile")
    sign_in(page, server, "close-mobile@example.org")
    page.goto(server.url + "/compte/fermer/")
    assert reauthenticate_if_asked(page)  # closing asks who you are first
    page.fill("input[name=confirm]", "FERMER")
    page.click("main form button.danger")
    page.wait_for_url(server.url + "/au-revoir/")
    assert page.locator("h1").inner_text() == "Votre compte est fermé"
    page.goto(server.url + "/")
    assert page.locator("main a[href='/accounts/signup/']").is_visible()  # the front door
    context.close()


def test_switching_language(server, chromium):
    context, page = _page(chromium, "desktop")
    page.goto(server.url + "/accounts/login/")
    page.click("details.lang summary")
    page.click("details.lang button[value=en]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Skip to main content" in page.content()
    page.click("details.lang summary")
    page.click("details.lang button[value=fr]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "fr"
    context.close()
