"""Reading without a connection, in a real Chromium with its service worker.

Jacob (a 900-entry record) declares his phone as his own, opens home, his emergency card and
his treatments; the network goes: the same pages read from the copy, with « Dernière mise à
jour », and a page never opened says there is no connection. Signing out leaves Cache Storage
empty. Léa never declares her device: her pages are never kept, and offline she gets the
offline page; when she turns the choice on and then off, the copy goes. And the home page of Jacob's record weighs under 150 KB as Chromium receives it.
"""

import pytest

from bench.page_weight import LIMIT_BYTES, big_record, home_weight
from tests.browser import (
    VIEWPORTS,
    check_page,
    cleanup,
    open_menu,
    require_chromium,
    sign_in,
    start_server,
)
from tests.helpers import smallest_synthea

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
JACOB = "jacob@example.org"
LEA = "lea@example.org"
CARD = "/dossier/carte-urgence/"
TREATMENTS = "/rappels/traitements/"

# Every cache of the page's origin: {cache name: [(url, content type, body), ...]}.
CACHE_CONTENTS = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out[name] = [];
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      out[name].push([request.url, response.headers.get("content-type") || "",
                      await response.text()]);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.create_user(JACOB, "citizen", "--name", "Jacob King")
        srv.carnet("import", str(big_record()), "--owner", JACOB, "--quiet", "--as-me")
        srv.create_user(LEA, "citizen", "--name", "Léa Dupuy")
        srv.carnet("import", str(smallest_synthea()), "--owner", LEA, "--quiet", "--as-me")
        yield srv
    finally:
        cleanup(srv)


def worker_in_charge(page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_own_device_reads_the_card_and_treatments_offline(server, chromium):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    sign_in(page, server, JACOB)
    worker_in_charge(page)
    page.goto(server.url + "/")
    problems = check_page(page, "home-own-device-prompt", "mobile")
    page.click("button[name=keep][value=on]")
    page.wait_for_load_state()
    online = {}
    for path in ("/", CARD, TREATMENTS):
        page.goto(server.url + path)
        online[path] = page.locator("h1").inner_text()
    # The worker writes each copy as the page arrives: wait for the third.
    page.wait_for_function(
        "caches.open('carnet-own-device').then((c) => c.keys()).then((k) => k.length === 3)"
    )
    kept = page.evaluate(CACHE_CONTENTS)["carnet-own-device"]
    assert sorted(url for url, _, _ in kept) == sorted(
        server.url + p for p in ("/", CARD, TREATMENTS)
    )

    context.set_offline(True)
    for path in (CARD, TREATMENTS):
        page.goto(server.url + path)
        assert page.locator("h1").inner_text() == online[path]
        note = page.locator("main .offline-note").inner_text()
        assert "Dernière mise à jour" in note and "hors connexion" in note, note
        assert page.locator("form button:not([disabled])").count() == 0  # nothing can be sent
        problems += check_page(page, f"offline-copy{path.replace('/', '-')}", "mobile")
    page.reload()
    assert "Dernière mise à jour" in page.locator("main .offline-note").inner_text()
    page.goto(server.url + "/partage/")  # never opened: no copy
    assert page.locator("h1").inner_text() == "Pas de connexion"
    problems += check_page(page, "offline-page", "mobile")
    assert not problems, "\n".join(problems)

    context.set_offline(False)
    page.goto(server.url + "/")
    open_menu(page)
    page.click("nav.main-nav form[action='/accounts/logout/'] button")
    page.wait_for_load_state()
    # Signed out: the front door (with its « Se connecter » link) or the sign-in page.
    path = page.url.removeprefix(server.url)
    assert path in ("/", "/accounts/login/") or path.startswith("/accounts/login/?"), path
    assert page.locator(
        "main a[href^='/accounts/login/'], main form[action^='/accounts/login/']"
    ).count()
    page.wait_for_function("caches.keys().then((names) => names.length === 0)")
    assert page.evaluate(CACHE_CONTENTS) == {}
    assert not [c for c in context.cookies() if c["name"] == "carnet_own_device"]
    context.close()


def test_without_the_declaration_nothing_of_theirs_is_kept(server, chromium):
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    sign_in(page, server, LEA)
    worker_in_charge(page)
    for path in ("/", CARD, TREATMENTS):
        page.goto(server.url + path)
    caches = page.evaluate(CACHE_CONTENTS)
    assert caches and "carnet-own-device" not in caches
    for name, entries in caches.items():
        for url, content_type, body in entries:
            assert "Léa" not in body and "Dupuy" not in body, (name, url)
            if content_type.startswith("text/html"):
                assert url == server.url + "/hors-ligne/", (name, url)

    context.set_offline(True)
    page.goto(server.url + CARD)
    assert page.locator("h1").inner_text() == "Pas de connexion"
    assert page.locator(".offline-note").count() == 0
    assert "Dupuy" not in page.content()

    # She says yes on the account page, then changes her mind: the copy goes at once.
    context.set_offline(False)
    page.goto(server.url + "/compte/")
    problems = check_page(page, "account-own-device", "mobile")
    page.click("#own-device-title ~ form button[name=keep][value=on]")
    page.wait_for_load_state()
    page.goto(server.url + CARD)
    page.wait_for_function("caches.has('carnet-own-device')")
    page.goto(server.url + "/compte/")
    page.click("#own-device-title ~ form button[name=keep][value=off]")
    page.wait_for_load_state()
    page.wait_for_function("caches.has('carnet-own-device').then((kept) => !kept)")
    assert "carnet-own-device" not in page.evaluate(CACHE_CONTENTS)
    context.close()
    assert not problems, "\n".join(problems)


def test_the_home_page_of_a_900_entry_record_weighs_under_150_kb(server, chromium):
    sizes = home_weight(chromium, server, JACOB)
    assert server.url + "/" in sizes and len(sizes) >= 2  # the page and its stylesheet at least
    total = sum(sizes.values())
    assert total <= LIMIT_BYTES, f"{total} bytes: {sizes}"
