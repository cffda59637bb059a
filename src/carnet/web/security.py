"""Security headers, request correlation ids and the generic error pages.

Every response carries an ``X-Request-ID``; the same id is put on every log record written
while the request runs (``RequestIdFilter``) and is shown on the error pages, so a person
can quote it to the help desk and we can find the matching log lines. The logs hold the
id, the path and the error, never a query string or any health data.
"""

from __future__ import annotations

import contextvars
import logging
import secrets

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.template import loader

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("carnet_request_id", default="-")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> str:
    # Never taken from the client: a forged id could make log lines collide.
    return secrets.token_hex(8)


_default_factory = logging.getLogRecordFactory()


def _record_factory(*args, **kwargs):
    record = _default_factory(*args, **kwargs)
    record.request_id = _request_id.get()
    return record


if not getattr(_default_factory, "carnet_request_id", False):
    _record_factory.carnet_request_id = True
    logging.setLogRecordFactory(_record_factory)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def _render_error(request, status: int, response_class):
    template = loader.get_template(f"{status}.html")
    return response_class(
        template.render({"request_id": getattr(request, "request_id", "")}, request)
    )


class RequestIdMiddleware:
    """Outermost middleware: gives each request its correlation id.

    Django renders 400 and 500 pages without the request (so without the id); those
    default answers are rendered again here, with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
            if not settings.DEBUG and type(response) in _DEFAULT_ERROR_RESPONSES:
                status, response_class = _DEFAULT_ERROR_RESPONSES[type(response)]
                try:
                    logged = getattr(response, "_has_been_logged", False)
                    response = _render_error(request, status, response_class)
                    response._has_been_logged = logged
                except Exception:  # noqa: BLE001 - keep Django's page if ours cannot render
                    logging.getLogger("carnet.security").exception("error page failed")
            response["X-Request-ID"] = request_id
            return response
        finally:
            _request_id.reset(token)


_DEFAULT_ERROR_RESPONSES = {
    HttpResponseBadRequest: (400, HttpResponseBadRequest),
    HttpResponseServerError: (500, HttpResponseServerError),
}


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy, isolation and HSTS on every answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Frame-Options", "DENY")
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        if getattr(settings, "CARNET_HTTPS", False) and settings.SECURE_HSTS_SECONDS:
            # Sent even when a TLS proxy in front makes the request look like plain HTTP;
            # browsers ignore it over HTTP anyway.
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            response.setdefault("Strict-Transport-Security", value)
        return response


def csrf_failure(request, reason=""):
    """The generic 403 page, also for a missing or wrong CSRF token.

    Django's CSRF middleware already logs the reason and the path.
    """
    return _render_error(request, 403, HttpResponseForbidden)
