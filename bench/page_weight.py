"""Home page weight: « Mon dossier » of a 900-entry record, as Chromium receives it.

    python -m bench.page_weight          # part of `make bench`

A real `carnet serve` on a private install (tests/browser.py); Jacob King's Synthea bundle
(952 entries, the largest shipped in tests/data/synthea) imported into one citizen's
record; Debian's Chromium signs in and loads the home page with its cache disabled and no
service worker, as a first visit on a poor connection would. The figure is the sum of
``encodedDataLength`` of every ``Network.loadingFinished`` (the page, its CSS, scripts and
images, as sent over the wire: headers and compression included), against the limit of
150 KB. Bytes, unlike times, do not depend on the machine: the test
tests/test_browser_offline_reading.py asserts the same figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNTHEA = ROOT / "tests" / "data" / "synthea"
LIMIT_BYTES = 150 * 1024
EMAIL = "jacob@example.org"


def big_record() -> Path:
    """The largest shipped Synthea bundle: Jacob King, 952 entries."""
    return max(SYNTHEA.glob("*.json"), key=lambda p: p.read_bytes().count(b'"fullUrl"'))


def transferred(context, url: str) -> dict[str, int]:
    """Bytes received per URL while ``url`` loads in a new page of ``context`` (cold cache)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.setdefault(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    cdp.detach()
    page.close()
    return {urls.get(key, key): size for key, size in sizes.items()}


def home_weight(chromium, server, email: str = EMAIL) -> dict[str, int]:
    """Sign in as ``email`` and weigh the home page; no service worker, as a first visit."""
    from tests.browser import sign_in

    context = chromium.new_context(locale="fr-FR", service_workers="block")
    try:
        sign_in(context.new_page(), server, email)
        return transferred(context, server.url + "/")
    finally:
        context.close()


def report(sizes: dict[str, int]) -> int:
    total = sum(sizes.values())
    print(
        f"home page: {total / 1024:.1f} KB / {LIMIT_BYTES / 1024:.0f} KB limit = {total / LIMIT_BYTES:.2f}"
    )
    for url, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"  {size / 1024:8.1f} KB  {url.split('/', 3)[-1] or '/'}")
    return total


def run() -> int:
    from playwright.sync_api import sync_playwright

    from tests.browser import cleanup, launch, start_server

    server = start_server()
    try:
        server.create_user(EMAIL, "citizen", "--name", "Jacob King")
        server.carnet("import", str(big_record()), "--owner", EMAIL, "--quiet", "--as-me")
        with sync_playwright() as p:
            browser = launch(p)
            try:
                return report(home_weight(browser, server))
            finally:
                browser.close()
    finally:
        cleanup(server)


def main() -> int:
    total = run()
    return 0 if total <= LIMIT_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
