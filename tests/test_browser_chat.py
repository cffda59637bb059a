"""The emergency chat in a real Chromium at 360 px.

(a) A person with chest pain is shown the numbers to call before anything else, and no
chat. (b) A live chat between a citizen and a practitioner on call, in two browser
contexts, exchanges messages both ways over WebSocket; the transcript lands in the
record. Every page is checked with axe-core and for sideways scrolling, screenshotted
to /tmp/carnet-shots/ (chat-*.png), and Chromium reports no policy violation.
"""

from __future__ import annotations

import pytest

from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    require_chromium,
    sign_in,
    start_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

CITIZEN = "chat-citizen@example.org"
DOCTOR = "chat-doctor@example.org"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(CITIZEN, "citizen", "--name", "Camille Arnaud")
        srv.create_user(
            DOCTOR,
            "practitioner",
            "--name",
            "Dr Hugo Rangueil",
            "--rpps",
            "10999990996",
            "--profession",
            "médecin généraliste",
        )
        yield srv
    finally:
        cleanup(srv)


def _page(chromium, problems: list[str]):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
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
    return context, page


def test_chest_pain_shows_the_numbers_before_anything_else(server, chromium):
    problems: list[str] = []
    context, page = _page(chromium, problems)
    sign_in(page, server, CITIZEN)
    page.goto(server.url + "/urgence-tchat/")
    # Without answering anything, the numbers are already at the top of the page.
    assert page.locator(".chat-call a[href='tel:15']").is_visible()
    problems += check_page(page, "chat-triage", "mobile")
    page.check("#q-chest_pain-yes")
    alert = page.locator("#chat-alert")
    alert.wait_for(state="visible")
    assert alert.locator("a[href='tel:15']").is_visible()
    assert alert.locator(".chat-number").first.get_attribute("href") == "tel:15"
    # Before anything else: the alert takes the top of the page, above the questions.
    assert alert.bounding_box()["y"] < page.locator(".chat-triage").bounding_box()["y"]
    assert page.locator("main > *:visible").first.get_attribute("id") == "chat-alert"
    problems += check_page(page, "chat-triage-alert", "mobile")
    page.check("#q-suicide-yes")
    assert alert.locator(".chat-number").first.get_attribute("href") == "tel:3114"
    page.check("#q-suicide-no")
    for key in ("stroke", "breathing", "bleeding"):
        page.check(f"#q-{key}-no")
    page.click(".chat-triage button[type=submit]")
    page.wait_for_load_state()
    first = page.locator("main a.chat-number").first
    assert first.get_attribute("href") == "tel:15" and first.is_visible()
    assert page.locator("input[name=service]").count() == 0
    assert page.locator("form[action='/urgence-tchat/ouvrir/']").count() == 0
    problems += check_page(page, "chat-urgent", "mobile")
    context.close()
    assert not problems, "\n".join(problems)


def test_a_live_chat_goes_both_ways_over_websocket(server, chromium):
    problems: list[str] = []
    pro_ctx, pro = _page(chromium, problems)
    sign_in(pro, server, DOCTOR)
    pro.goto(server.url + "/pro/garde/")
    problems += check_page(pro, "chat-desk-off", "mobile")
    pro.click("form:has(input[name=service][value=general]) button[name=on][value='1']")
    pro.wait_for_load_state()
    assert pro.locator("form:has(input[value=general]) .badge").count() == 1

    person_ctx, person = _page(chromium, problems)
    sign_in(person, server, CITIZEN)
    person.goto(server.url + "/urgence-tchat/")
    for key in ("chest_pain", "stroke", "breathing", "bleeding", "suicide"):
        person.check(f"#q-{key}-no")
    assert person.locator("#chat-alert").is_hidden()
    person.click(".chat-triage button[type=submit]")
    person.wait_for_load_state()
    problems += check_page(person, "chat-choose", "mobile")
    person.check("#service-general")
    person.check("#share")
    person.click(".chat-choose button[type=submit]")
    person.wait_for_selector("#chat[data-status=waiting]")
    person.wait_for_selector("#chat[data-live='1']")
    problems += check_page(person, "chat-room-waiting", "mobile")

    pro.goto(server.url + "/pro/garde/")
    problems += check_page(pro, "chat-desk-waiting", "mobile")
    pro.click(".chat-waiting button[type=submit]")
    pro.wait_for_selector("#chat[data-status=open]")
    pro.wait_for_selector("#chat[data-live='1']")
    # The person's page learns live that a practitioner answers (it reloads to show who).
    person.wait_for_selector("#chat[data-status=open]", timeout=15000)
    person.wait_for_selector("#chat[data-live='1']")
    assert "Dr Hugo Rangueil" in person.inner_text("#chat-status")

    person.fill("#chat-text", "J'ai de la fièvre depuis hier soir.")
    person.click("#chat-form button[type=submit]")
    pro.wait_for_selector("#chat-lines li:has-text('fièvre depuis hier soir')", timeout=10000)
    assert person.url.endswith("/")  # sent over the socket: no page load
    pro.fill("#chat-text", "Prenez votre température et buvez de l'eau.")
    pro.click("#chat-form button[type=submit]")
    person.wait_for_selector("#chat-lines li:has-text('Prenez votre température')", timeout=10000)
    # Each side shows its own line as its own once the socket has brought it (on a busy
    # machine that can come after the other side's line): wait for it, then count.
    person.wait_for_selector("#chat-lines li.mine:has-text('fièvre depuis hier soir')")
    pro.wait_for_selector("#chat-lines li.mine:has-text('Prenez votre température')")
    assert person.locator("#chat-lines li.mine").count() == 1
    assert pro.locator("#chat-lines li.mine").count() == 1
    problems += check_page(person, "chat-room-citizen", "mobile")
    problems += check_page(pro, "chat-room-practitioner", "mobile")

    pro.click("a[href$='/informations/']")
    pro.wait_for_load_state()
    problems += check_page(pro, "chat-dataset", "mobile")
    pro.go_back()

    person.click(".chat-close button[type=submit]")
    person.wait_for_selector("#chat[data-status=closed]")
    problems += check_page(person, "chat-room-closed", "mobile")
    pro.wait_for_selector("#chat[data-status=closed]", timeout=15000)
    # The transcript is an item of the record's timeline (its title names the practitioner).
    person.goto(server.url + "/dossier/chronologie/")
    assert "Dr Hugo Rangueil" in person.inner_text("main")
    problems += check_page(person, "chat-transcript-timeline", "mobile")
    pro_ctx.close()
    person_ctx.close()
    assert not problems, "\n".join(problems)
