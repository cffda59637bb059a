"""Carnet installs as an app: a web manifest with its icons, and a service worker served at
the site's root (its scope is the whole site), never kept in a cache for long."""

import json

from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image


def test_the_manifest_names_carnet_and_its_icons(client, settings):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "Carnet"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        sizes[icon["sizes"]] = path
    for size in (192, 512):
        with Image.open(sizes[f"{size}x{size}"]) as image:
            assert image.size == (size, size)
    assert "any" in sizes  # the SVG
    assert manifest["dir"] == "ltr"
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "Arabic")]
    arabic = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ar").content)
    assert arabic["lang"] == "ar" and arabic["dir"] == "rtl"


def test_every_page_links_the_manifest_and_the_worker(client):
    page = client.get(reverse("account_login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-worker="/sw.js"' in page and 'data-signed-in="0"' in page


def test_the_worker_is_served_at_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert '"/static/carnet/carnet.css"' in body and '"/hors-ligne/"' in body
    assert "{{" not in body and "{%" not in body


def test_the_offline_page_says_nothing_about_anyone(client):
    from . import people

    people.english(client).force_login(people.citizen("Alice Martin", email="alice@example.org"))
    page = client.get(reverse("offline")).content.decode()
    assert "No connection" in page and "112" in page
    assert "Alice" not in page and "alice@example.org" not in page
