import logging

from django.http import HttpResponse


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

        from carnet.vault.services import VaultError

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
