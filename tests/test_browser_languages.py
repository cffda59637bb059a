"""Arabic pages laid out right to left, and the language switch used with the keyboard alone.

In a real Chromium, at 360 px and at desktop width: a visitor whose browser asks for Arabic gets
the front door and a form in Arabic, right to left, axe-clean, nothing scrolling sideways; a
signed-in person's home too. Screenshots go to the test's temporary directory.
"""

import pytest

from tests.browser import VIEWPORTS, check_page, cleanup, require_chromium, sign_in, start_server

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

NOUR = "nour@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(NOUR, "citizen", "--name", "نور حداد")
        yield srv
    finally:
        cleanup(srv)


def _shot(page, folder, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _lang(page) -> tuple[str, str]:
    return tuple(page.evaluate("[document.documentElement.lang, document.documentElement.dir]"))


def test_arabic_pages_read_right_to_left(server, chromium, tmp_path):
    problems = []
    for viewport, size in VIEWPORTS.items():
        context = chromium.new_context(viewport=size, locale="ar")  # Accept-Language: ar
        page = context.new_page()

        page.goto(server.url + "/")
        assert _lang(page) == ("ar", "rtl")
        assert page.locator("h1").inner_text() == "سجلّك الصحي في مكان واحد، وهو مِلكٌ لك"
        # The brand starts the line: on the right, right to left.
        brand = page.locator(".brand").bounding_box()
        assert brand["x"] + brand["width"] > size["width"] / 2
        problems += check_page(page, "ar-front-door", viewport)
        _shot(page, tmp_path, f"ar-front-door-{viewport}")

        page.goto(server.url + "/accounts/signup/")
        assert _lang(page) == ("ar", "rtl")
        # The form reads right to left; an email address is typed left to right, on the right.
        password = page.locator("main input[type=password]").first
        assert password.evaluate("e => getComputedStyle(e).direction") == "rtl"
        email = page.locator("main input[type=email]").first
        assert email.evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert email.evaluate("e => getComputedStyle(e).textAlign") == "end"
        problems += check_page(page, "ar-sign-up", viewport)
        _shot(page, tmp_path, f"ar-sign-up-{viewport}")

        # Signed in, the account's language applies (French here); choosing Arabic keeps it.
        sign_in(page, server, NOUR)
        page.goto(server.url + "/")
        if _lang(page)[0] != "ar":
            if not page.locator("details.lang").get_attribute("open"):
                page.click("details.lang summary")
            with page.expect_navigation():
                page.click("details.lang button[value=ar]")
        assert _lang(page) == ("ar", "rtl")
        assert page.locator("bdi", has_text="نور حداد").count() >= 1
        problems += check_page(page, "ar-home", viewport)
        _shot(page, tmp_path, f"ar-home-{viewport}")
        context.close()
    assert not problems, "\n".join(problems)
    assert len(list(tmp_path.glob("ar-*.png"))) == 6


def _tab_to(page, selector: str, tries: int = 20) -> None:
    for _ in range(tries):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_switching_language_with_the_keyboard(server, chromium, tmp_path):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    page.goto(server.url + "/")
    assert _lang(page) == ("fr", "ltr")
    switch = page.locator("details.lang")
    assert switch.get_attribute("open") is None  # folded until asked
    _tab_to(page, "details.lang summary")
    page.keyboard.press("Enter")
    assert switch.get_attribute("open") is not None
    # Open, the list stays on the screen and is axe-clean.
    box = page.locator("details.lang ul").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["mobile"]["width"]
    problems = check_page(page, "language-switch-open", "mobile")
    _shot(page, tmp_path, "language-switch-open-fr")
    names = page.locator("details.lang button").all()
    assert [(b.get_attribute("lang"), b.inner_text()) for b in names] == [
        ("fr", "Français"),
        ("en", "English"),
        ("es", "Español"),
        ("ar", "العربية"),
        ("pt", "Português"),
        ("tr", "Türkçe"),
    ]
    _tab_to(page, "details.lang button[value=ar]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _lang(page) == ("ar", "rtl")
    # Back to French, still with the keyboard; the list opens inside the screen right to left.
    _tab_to(page, "details.lang summary")
    page.keyboard.press("Enter")
    box = page.locator("details.lang ul").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["mobile"]["width"]
    _shot(page, tmp_path, "language-switch-open-ar")
    _tab_to(page, "details.lang button[value=fr]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _lang(page) == ("fr", "ltr")
    assert page.locator("h1").inner_text() == "Votre dossier de santé, au même endroit, et à vous"
    context.close()
    assert not problems, "\n".join(problems)
