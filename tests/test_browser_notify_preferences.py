"""The notifications page in a real Chromium at 360 px, with the keyboard alone: choose
channels, language, quiet hours and a digest, prove a mobile number with the code the SMS
brought (the file SMS backend), see Web Push offered by the static script. Every state is
checked with axe-core and for sideways scrolling, and screenshotted to /tmp/carnet-shots/
(notify-*.png)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser import check_page, cleanup, launch, require_chromium, sign_in, start_server

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

EMAIL = "lucie@example.org"
URL = "/compte/notifications/"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    from py_vapid import Vapid

    key_dir = Path(tempfile.mkdtemp(prefix="carnet-vapid-"))
    vapid = Vapid()
    vapid.generate_keys()
    vapid.save_key(str(key_dir / "vapid.pem"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CARNET_SMS_BACKEND", "file")
        mp.setenv("CARNET_WEBPUSH_KEY_FILE", str(key_dir / "vapid.pem"))
        srv = start_server()
    try:
        srv.create_user(EMAIL, "citizen", "--name", "Lucie Amouroux")
        yield srv
    finally:
        cleanup(srv)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (it must be reachable)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def submit_with_enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_time(page, selector: str, value: str) -> None:
    """Type a time in the browser's own time control (its segments follow the OS locale:
    24 h, or 12 h with AM/PM); Playwright's fill only when the keys did not give it."""
    hours, minutes = value.split(":")
    page.keyboard.type(hours + minutes)
    if page.input_value(selector) != value:
        twelve = int(hours) % 12 or 12
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(f"{twelve:02d}{minutes}" + ("P" if int(hours) >= 12 else "A"))
    if page.input_value(selector) != value:
        page.fill(selector, value)
    assert page.input_value(selector) == value


def sms_codes(server) -> list[str]:
    path = server.data_dir / "sms.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [re.search(r"\b([0-9]{6})\b", m["text"]).group(1) for m in lines]


def prefs_of(server) -> dict:
    out = server.carnet(
        "shell",
        "-c",
        "from carnet.accounts.models import User; from carnet.notify import services; "
        f"p = services.preferences(User.objects.get(email='{EMAIL}')); import json; "
        "print(json.dumps({'email': p.email, 'sms': p.sms, 'phone': p.phone, "
        "'language': p.language, 'quiet': [str(p.quiet_start), str(p.quiet_end)], "
        "'frequency': p.frequency, 'digest_hour': p.digest_hour}))",
    )
    return json.loads(out.strip().splitlines()[-1])


def test_a_person_chooses_with_the_keyboard_alone_at_360px(server):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
        page = context.new_page()
        sign_in(page, server, EMAIL)
        page.goto(server.url + "/compte/")
        page.click(f"main a[href='{URL}']")
        page.wait_for_load_state()
        assert page.url.endswith(URL)
        # The script found a browser that can do Web Push and a server with a key.
        page.wait_for_selector("#push form.push-on button", state="visible")
        problems += check_page(page, "notify-preferences", "mobile")

        # A form left half-done: nothing saved, the error says what to do.
        tab_to(page, "#id_quiet_start")
        type_time(page, "#id_quiet_start", "22:00")
        tab_to(page, "form.prefs button[type=submit]")
        submit_with_enter(page)
        assert page.locator(".form-error[role=alert]").count() == 1
        assert page.locator("#id_quiet_end[aria-invalid=true]").count() == 1
        problems += check_page(page, "notify-preferences-error", "mobile")

        # Now everything, with the keyboard: email off, English, 22:00–07:00, digest at 18.
        page.goto(server.url + URL)
        tab_to(page, "#id_email")
        page.keyboard.press("Space")
        tab_to(page, "input[name=language]")
        page.keyboard.press("ArrowDown")
        tab_to(page, "#id_quiet_start")
        type_time(page, "#id_quiet_start", "22:00")
        tab_to(page, "#id_quiet_end")
        type_time(page, "#id_quiet_end", "07:00")
        tab_to(page, "input[name=frequency]")
        page.keyboard.press("ArrowDown")
        tab_to(page, "#id_digest_hour")
        page.select_option("#id_digest_hour", "18")
        tab_to(page, "form.prefs button[type=submit]")
        submit_with_enter(page)
        assert page.locator(".messages").count() == 1, page.inner_text("main")[:1500]
        saved = prefs_of(server)
        assert saved["email"] is False and saved["language"] == "en"
        assert saved["quiet"] == ["22:00:00", "07:00:00"]
        assert (saved["frequency"], saved["digest_hour"]) == ("daily", 18)
        assert saved["sms"] is False

        # A mobile number, proved with the code the SMS brought.
        tab_to(page, "#id_phone")
        page.keyboard.type("06 12 34 56 78")
        submit_with_enter(page)
        [code] = sms_codes(server)
        page.wait_for_selector("#id_code")
        problems += check_page(page, "notify-preferences-code", "mobile")
        page.focus("#id_code")
        page.keyboard.type(code)
        submit_with_enter(page)
        assert page.is_checked("#id_sms") and page.is_enabled("#id_sms")
        assert prefs_of(server)["phone"] == "+33612345678"
        problems += check_page(page, "notify-preferences-sms-on", "mobile")

        # Web Push: the button asks the browser; a headless browser cannot subscribe, and
        # the page says what to do instead of failing silently.
        page.click("#push form.push-on button")
        page.wait_for_function(
            "() => { const s = document.querySelector('#push .push-status').textContent;"
            " return s.length > 0 && !s.endsWith('…'); }"
        )
        status = page.inner_text("#push .push-status")
        assert "paramètres" in status and "réessayez" in status, status
        assert prefs_of(server)["sms"] is True  # nothing else changed
        problems += check_page(page, "notify-preferences-push", "mobile")
        context.close()
        browser.close()
    assert not problems, "\n".join(problems)
