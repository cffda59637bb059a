import logging

from django.http import HttpResponse

from carnet.access.acting import NotPermitted
from carnet.vault.services import VaultError


class NoStoreMiddleware:
    """Pages about a person are never kept by browsers or shared caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store")
            response.setdefault("Pragma", "no-cache")
        return response


class UnreadableRecordMiddleware:
    """A record whose data key is missing (a database restored without its key store, a
    master key left out of the ring) answers a clear page, 503, instead of a 500.

    Decryption comes after access's decision, so this page is only ever shown to someone
    allowed to see the record: it tells nobody else that the record exists.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.template import loader

        if not isinstance(exception, VaultError):
            return None
        logging.getLogger("carnet.vault").warning(
            "a record without a readable data key was asked for (%s): see 'carnet check'",
            type(exception).__name__,
        )
        html = loader.get_template("record_unreadable.html").render(
            {"request_id": getattr(request, "request_id", "")}, request
        )
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "3600"
        return response


class NotPermittedMiddleware:
    """A proxy on a page that needs a permission the person did not give them gets a plain
    403 page saying so, with a way back (``access.acting.NotPermitted``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        if not isinstance(exception, NotPermitted):
            return None
        return render(
            request,
            "web/not_permitted.html",
            {"name": exception.whose.name, "permission": exception.permission},
            status=403,
        )


# --- A database too busy to answer in time ---------------------------------------------------

BUSY_RETRY_AFTER = 5  # seconds
# PostgreSQL: lock not available, deadlock, serialization failure, statement timeout.
_BUSY_SQLSTATES = {"55P03", "40P01", "40001", "57014"}


def database_busy(exc: BaseException | None) -> bool:
    """True for an error that only says the database was too busy (a lock wait ran out)."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    cause = exc.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in _BUSY_SQLSTATES


def busy_response(request):
    """503 with Retry-After: a FHIR OperationOutcome for the API, a page for people."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith(("/fhir/", "/api/")):
        response = JsonResponse(
            {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "severity": "error",
                        "code": "transient",
                        "diagnostics": "Carnet is very busy; try again in a moment",
                    }
                ],
            },
            status=503,
            content_type="application/fhir+json",
        )
    else:
        response = render(
            request,
            "503.html",
            {"retry_after": BUSY_RETRY_AFTER},
            status=503,
        )
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """A wait for the database that ran out reaches nobody as a 500: they get « Carnet est
    très occupé, réessayez dans un instant » (503, Retry-After), and nothing was changed
    (the transaction that waited was never begun, or was rolled back).

    Errors raised by other middleware (a session saved after the view) are turned into the
    same answer by ``server_error``, the project's 500 handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_busy(exception):
            return busy_response(request)
        return None


def server_error(request, template_name="500.html"):
    """Django's 500 page, except for a database too busy: then the 503 page."""
    import sys

    from django.views import defaults

    if database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request, template_name)
