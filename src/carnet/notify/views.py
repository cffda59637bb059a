"""The SMS reply webhook and the browser's Web Push subscription endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import services

MAX_INBOUND_BYTES = 8 * 1024
SIGNATURE_HEADER = "X-Carnet-Signature"
TIMESTAMP_HEADER = "X-Carnet-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a gateway sends: ``sha256=`` HMAC of ``<timestamp>.<raw body>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _authentic(request: HttpRequest, secret: str, body: bytes) -> bool:
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit() or len(timestamp) > 12 or not signature:
        return False
    # The timestamp is signed, so an old request cannot be replayed with a new one.
    if abs(time.time() - int(timestamp)) > settings.CARNET_SMS_INBOUND_MAX_AGE:
        return False
    return hmac.compare_digest(signature, sign(secret, timestamp, body))


@csrf_exempt  # a gateway, not a browser: authenticated by the signature instead
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """``POST /notify/sms/inbound``: ``{"from": "+33…", "text": "OUI 4821", "id": "…"}``."""
    secret = settings.CARNET_SMS_INBOUND_SECRET
    if not secret:
        raise Http404
    if int(request.headers.get("Content-Length") or 0) > MAX_INBOUND_BYTES:
        return JsonResponse({"error": "too large"}, status=413)
    body = request.body
    if len(body) > MAX_INBOUND_BYTES:
        return JsonResponse({"error": "too large"}, status=413)
    if not _authentic(request, secret, body):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        data = json.loads(body)
        sender, text = data["from"], data["text"]
        ref = data.get("id")
        if not (isinstance(sender, str) and isinstance(text, str)) or len(sender) > 32:
            raise ValueError
        if ref is not None and not (isinstance(ref, str | int) and len(str(ref)) <= 200):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON {from, text}"}, status=400)
    services.handle_inbound_sms(sender, text[:1600], ref=None if ref is None else str(ref))
    return JsonResponse({"ok": True})


@login_required
@require_http_methods(["GET", "POST", "DELETE"])
def push_subscription(request: HttpRequest) -> HttpResponse:
    """GET: the VAPID public key; POST: store the browser's PushSubscription; DELETE: forget it."""
    if request.method == "GET":
        return JsonResponse({"public_key": services.vapid_public_key()})
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "expected JSON"}, status=400)
    if request.method == "DELETE":
        services.delete_push_subscription(request.user, str(data.get("endpoint", "")))
        return JsonResponse({"ok": True})
    try:
        services.save_push_subscription(request.user, data)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True}, status=201)
