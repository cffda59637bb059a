"""/api/docs loads Swagger UI from Carnet's own static files, never from a CDN, and the
Content-Security-Policy lets it run (issue 13, point 10)."""

import re

import pytest
from django.test import Client

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


def assets(html: str) -> list[str]:
    return ASSET.findall(html)


@pytest.mark.django_db(databases=["default", "keystore"])
def test_the_docs_page_references_no_other_host_and_its_files_are_served():
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    found = assets(html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in found), found
    assert any(a.endswith("swagger-ui.css") for a in found), found
    for url in found:
        assert url.startswith("/static/") and not url.startswith("//"), url
    assert "cdn." not in html and "http://" not in html and "https://" not in html
    for url in found:
        served = client.get(url)
        assert served.status_code == 200, url
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert len(body) > 100, url
    assert "script-src 'self'" in page["Content-Security-Policy"]


@pytest.mark.browser
@pytest.mark.no_db
def test_swagger_ui_runs_under_the_policy_in_a_real_browser():
    from playwright.sync_api import sync_playwright

    from tests.browser import cleanup, launch, require_chromium, start_server

    require_chromium()
    server = start_server()
    problems, outside = [], []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page()
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda exc: problems.append(f"script error {exc}"))
                page.on(
                    "request",
                    lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None,
                )
                page.goto(server.url + "/api/docs")
                # Swagger UI read the OpenAPI document and drew the operations.
                page.wait_for_selector(".opblock", timeout=30_000)
                assert "Carnet" in page.locator(".title").first.inner_text()
            finally:
                browser.close()
    finally:
        cleanup(server)
    assert outside == [] or all(u.startswith("data:") for u in outside), outside
    assert problems == [], problems
