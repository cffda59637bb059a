"""Carnet as an app: the web manifest, the service worker, the offline page, and the person's
choice to keep their summary readable without a connection on this device (``web.offline``)."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import offline

THEME_COLOUR = "#1d5b79"
ICONS = (("carnet/icon-192.png", "192x192"), ("carnet/icon-512.png", "512x512"))
# What the worker keeps on every device: what the offline page and the kept pages need.
PRECACHE = (
    "carnet/carnet.css",
    "carnet/menu.js",
    "carnet/offline.js",
    "carnet/icon.svg",
    "records/home.css",
    "records/print.css",
    "reminders/reminders.css",
)


@require_GET
def manifest(request):
    data = {
        "name": "Carnet",
        "short_name": "Carnet",
        "description": _("Your health record belongs to you. You decide who sees it."),
        "lang": request.LANGUAGE_CODE,
        "dir": "rtl" if get_language_bidi() else "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("carnet/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            *(
                {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any"}
                for path, sizes in ICONS
            ),
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@cache
def _version() -> str:
    """Changes whenever a precached file or the worker itself changes: a new worker, new caches."""
    digest = hashlib.sha256()
    for path in PRECACHE:
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            with open(found, "rb") as f:
                digest.update(f.read())
    digest.update(render_to_string("web/sw.js", _worker_context("")).encode())
    return digest.hexdigest()[:12]


def _worker_context(version: str) -> dict:
    return {
        "version": version,
        "precache": json.dumps([static(p) for p in PRECACHE]),
        "offline_url": json.dumps(reverse("offline")),
        "keep_header": json.dumps(offline.KEEP_HEADER),
    }


@require_GET
def service_worker(request):
    """Served at the site's root so that its scope is the whole site."""
    body = render_to_string("web/sw.js", _worker_context(_version()))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def offline_page(request):
    """What the worker shows for a page it has no copy of: nothing about anyone."""
    return render(request, "web/offline.html")


@login_required
@require_POST
def own_device(request):
    """« Cet appareil est à moi »: on or off, for this browser only."""
    keep = request.POST.get("keep")
    if keep not in ("on", "off"):
        messages.error(request, _("Choose whether this device is yours."))
        return redirect("accounts:account")
    back = request.POST.get("next") or reverse("accounts:account")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("accounts:account")
    response = redirect(back)
    if keep == "on":
        offline.declare_own_device(response, request.user, own=True)
        messages.success(
            request,
            _(
                "This device keeps your summary, emergency card, treatments, agenda and "
                "reminders readable without a connection. Open them once now."
            ),
        )
    else:
        offline.declare_own_device(response, request.user, own=False)
        messages.success(request, _("This device keeps nothing of your record any more."))
    return response
