"""A database too busy to answer in time never reaches anyone as a 500: a page says
« Carnet est très occupé, réessayez dans un instant » and the API answers an
OperationOutcome, both 503 with Retry-After; once the database is free the same request
works. Against a real `carnet serve` whose SQLite file is held by another writer, and
in-process for errors raised by a view, by a middleware and by the API."""

import json
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from carnet.web import views as web_views

from .cli import CARNET, carnet, env_for, fresh_install
from .fhir_api import citizen as api_citizen
from .helpers import citizen, smallest_synthea

BUSY = "Carnet est très occupé, réessayez dans un instant."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.no_db
def test_a_request_that_waits_too_long_for_the_database_gets_503_then_works(tmp_path):
    fresh_install(tmp_path)
    carnet(tmp_path, "user", "create", "alice@example.org", input="a long enough passphrase\n")
    carnet(tmp_path, "import", str(smallest_synthea()), "--owner", "alice@example.org", "--quiet")
    token = carnet(tmp_path, "token", "create", "alice@example.org").stdout.strip()
    port = _free_port()
    env = env_for(tmp_path) | {"CARNET_SQLITE_BUSY_SECONDS": "1"}
    server = subprocess.Popen(
        [str(CARNET), "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/fhir/R4/metadata", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        url = f"{base}/fhir/R4/Observation?_count=5"  # an audited read: it writes
        assert _get(url, token)[0] == 200

        # Another process holds SQLite's write lock longer than the server waits.
        holder = sqlite3.connect(tmp_path / "carnet.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            status, headers, body = _get(url, token)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert status == 503, body[:500]
        assert int(headers["Retry-After"]) > 0
        outcome = json.loads(body)
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "transient"

        assert _get(url, token)[0] == 200  # the lock is gone: it works again
    finally:
        server.terminate()
        server.wait(timeout=20)


def _locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_page_whose_view_waits_too_long_says_busy(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(citizen())
    monkeypatch.setattr(web_views.accounts, "patient_of", _locked)
    response = client.get("/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert BUSY in page and "<h1>Carnet est très occupé</h1>" in page


def test_a_session_that_cannot_be_saved_says_busy(monkeypatch):
    # Raised by the session middleware after the view: Django's 500 handler answers.
    client = Client(raise_request_exception=False)
    client.force_login(citizen())
    monkeypatch.setattr(SessionStore, "save", _locked)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 503
    assert BUSY in response.content.decode()


def _pg_lock_timeout(*args, **kwargs):
    # What PostgreSQL raises when lock_timeout runs out (SQLSTATE 55P03), as Django wraps it.
    import psycopg

    try:
        raise psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    except psycopg.Error as exc:
        raise OperationalError(str(exc)) from exc


@pytest.mark.parametrize("error", [_locked, _pg_lock_timeout])
def test_the_api_answers_503_with_an_operation_outcome(client, monkeypatch, error):
    _user, headers = api_citizen("alice@example.org")
    from carnet.records import services

    monkeypatch.setattr(services, "search", error)
    response = client.get("/fhir/R4/Observation", headers=headers)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["issue"][0]["code"] == "transient"


def test_any_other_database_error_is_still_a_500(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(citizen())

    def broken(*args, **kwargs):
        raise OperationalError("no such table: records_resourceversion")

    monkeypatch.setattr(web_views.accounts, "patient_of", broken)
    assert client.get("/").status_code == 500
