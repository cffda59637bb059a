"""Security headers on every answer, and the generic error pages with a correlation id."""

import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from carnet.accounts import services as accounts
from carnet.web import security

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "carnet"


def _boom(request):
    raise RuntimeError("boom")


def _suspicious(request):
    raise SuspiciousOperation("odd")


def _denied(request):
    raise PermissionDenied


urlpatterns = [
    path("test-boom/", _boom),
    path("test-suspicious/", _suspicious),
    path("test-denied/", _denied),
    path("", include("carnet.urls")),
]


@pytest.fixture
def errors_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/nowhere/"])
def test_every_answer_carries_the_headers(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]:
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert re.fullmatch(r"[0-9a-f]{16}", response["X-Request-ID"])
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_hsts_once_served_over_https(client, settings):
    settings.CARNET_HTTPS = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/")
    assert response["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client):
    ids = {client.get("/accounts/login/")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.django_db
def test_a_client_cannot_choose_its_request_id(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="forged")
    assert response["X-Request-ID"] != "forged"


@pytest.mark.django_db
def test_not_found_page_is_generic_with_the_id(client):
    response = client.get("/nowhere/?nir=1234567890123")
    assert response.status_code == 404
    html = response.content.decode()
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_server_error_page_is_generic_and_logged_with_the_id(errors_urls, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-boom/?diagnosis=diabete")
    assert response.status_code == 500
    html = response.content.decode()
    rid = response["X-Request-ID"]
    assert rid in html
    assert "boom" not in html and "RuntimeError" not in html and "diabete" not in html
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.request_id == rid for r in records)
    assert not any("diabete" in r.getMessage() for r in records)


@pytest.mark.django_db
def test_bad_request_page_is_generic_with_the_id(errors_urls):
    response = Client().get("/test-suspicious/")
    assert response.status_code == 400
    html = response.content.decode()
    assert response["X-Request-ID"] in html
    assert "odd" not in html


@pytest.mark.django_db
def test_forbidden_page_is_generic_with_the_id(errors_urls):
    response = Client().get("/test-denied/")
    assert response.status_code == 403
    assert response["X-Request-ID"] in response.content.decode()


@pytest.mark.django_db(databases=["default", "keystore"])
def test_csrf_failure_uses_the_generic_page():
    user = accounts.create_user("alice@example.org", "correct horse battery")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/compte/profil/", {"first_name": "A"})
    assert response.status_code == 403
    html = response.content.decode()
    assert response["X-Request-ID"] in html
    assert "CSRF" not in html


def test_log_records_outside_a_request_have_a_placeholder_id():
    record = logging.getLogger("carnet.test").makeRecord(
        "carnet.test", logging.INFO, __file__, 1, "hello", (), None
    )
    assert security.RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_no_template_has_inline_script_style_or_handler():
    """The CSP forbids inline code and style attributes: templates must not rely on them."""
    problems = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        if "/email/" in str(template) or template.name.endswith("_pdf.html"):
            continue  # emails and PDFs are not pages served under our CSP
        text = template.read_text()
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            attrs, body = match.groups()
            if body.strip() and "application/json" not in attrs:
                problems.append(f"{template}: inline script")
        if re.search(r"\sstyle=[\"']", text):
            problems.append(f"{template}: style attribute")
        if re.search(r"<style\b", text):
            problems.append(f"{template}: style element")
        if re.search(r"\son[a-z]+=[\"']", text):
            problems.append(f"{template}: on* handler")
        if "javascript:" in text:
            problems.append(f"{template}: javascript: URL")
    assert problems == []


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_pages_render_without_a_request_or_urls(status, settings):
    """Django renders 400 and 500 with no request; a broken URLconf must not break them."""
    settings.ROOT_URLCONF = "carnet.web.templatetags"  # a module with no URL patterns
    from django.template import loader

    html = loader.get_template(f"{status}.html").render()
    assert "<h1>" in html and "{%" not in html
    assert "Traceback" not in html
