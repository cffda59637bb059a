"""Test set-up. The private data directory of each run is made by carnet.pytest_plugin,
loaded by pytest before Django's settings (see pyproject's pytest11 entry point)."""

import pytest

# Hypothesis profiles ("ci" derandomized by default, "fuzz" for `make fuzz`): loaded before
# any test module, so every property test inherits the profile.
from . import fuzzing  # noqa: F401


def pytest_collection_modifyitems(items):
    # Every test may touch both databases (the main one and the key store).
    for item in items:
        if (
            item.get_closest_marker("django_db") is None
            and item.get_closest_marker("no_db") is None
        ):
            item.add_marker(pytest.mark.django_db(databases="__all__"))


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (see test_accounts_roles); tests need speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    # Test databases roll back, so a patient id can come back with another key.
    from carnet.vault import services as vault

    vault.forget_cached_key()
    yield
    vault.forget_cached_key()


@pytest.fixture(autouse=True)
def _private_blob_dir(settings, tmp_path):
    # Test databases roll back and patient ids come back; their document files must not.
    settings.BLOB_DIR = tmp_path / "blobs"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and job statuses live in the cache: each test starts empty.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A test that reads a page in English must not leave English on for the next one.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def chromium(server):
    """One headless Debian Chromium per browser-test module, after (and around) its server."""
    from playwright.sync_api import sync_playwright

    from .browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture
def gateway(settings):
    """A loopback SMS gateway (key "k") that notify sends through; files may define their own."""
    from .loopback import LoopbackSmsGateway

    gw = LoopbackSmsGateway(key="k").start()
    settings.CARNET_SMS_BACKEND = "http"
    settings.CARNET_SMS_URL = gw.url
    settings.CARNET_SMS_KEY = "k"
    settings.CARNET_NOTIFY_KICK = False
    yield gw
    gw.stop()


@pytest.fixture
def citizen():
    """A citizen (alice@example.org) with an empty record of her own: helpers.citizen."""
    from .helpers import citizen

    return citizen()


@pytest.fixture(autouse=True)
def _no_demo_contributors(settings):
    # `carnet demo` adds 60 research contributors (5 s); test_research_demo_contributors
    # asks for a few. Every other test of the demo goes without.
    settings.CARNET_DEMO_CONTRIBUTORS = 0
