"""A person connects an app (SMART App Launch: authorize, consent narrowed, token, a
search, a refresh, a revocation), driven by oauthlib's client."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from carnet.access import grants, history
from carnet.access.services import Actor

from .people import english, pid_of
from .smart_client import consent, lea, oauth_client, refresh, register_app, token

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def connected(client):
    user, app = lea(), register_app()
    client.force_login(user)
    oc = oauth_client(app)
    code = consent(client, oc, ["measurements"])  # narrowed: no problems, no results
    r = token(client, oc, code)
    assert r.status_code == 200, r.content
    oc.parse_request_body_response(r.content.decode())
    return user, app, oc, json.loads(r.content)


def bearer(access: str) -> dict:
    return {"Authorization": f"Bearer {access}"}


def test_an_app_reads_only_what_the_person_left_ticked(connected):
    user, app, oc, body = connected
    api = Client()
    assert body["patient"] and "patient/Observation.rs" in body["scope"]
    assert "patient/Condition.rs" not in body["scope"]  # unticked on the consent screen

    found = api.get("/fhir/R4/Observation", headers=bearer(body["access_token"]))
    assert found.status_code == 200, found.content
    assert [e["resource"]["code"]["text"] for e in found.json()["entry"]] == ["Weight"]
    refused = api.get("/fhir/R4/Condition", headers=bearer(body["access_token"]))
    assert refused.status_code == 403

    page = history.page(
        Actor.of_user(user),
        pid_of(user),
        history.Filters(),
    )
    assert any(e.who == app.name and e.allowed for e in page.entries)


def test_a_refresh_rotates_and_the_old_refresh_token_is_refused(connected, client):
    _user, _app, oc, body = connected
    r = refresh(client, oc, body["refresh_token"])
    assert r.status_code == 200, r.content
    new = json.loads(r.content)
    assert new["refresh_token"] != body["refresh_token"]
    api = Client()
    assert api.get("/fhir/R4/Observation", headers=bearer(new["access_token"])).status_code == 200
    again = refresh(client, oc, body["refresh_token"])
    assert again.status_code == 400
    # A used refresh token coming back means it leaked: the whole family is revoked.
    assert api.get("/fhir/R4/Observation", headers=bearer(new["access_token"])).status_code == 401


def test_a_refresh_cannot_widen_the_scope(connected, client):
    _user, _app, oc, body = connected
    r = refresh(
        client, oc, body["refresh_token"], scope="patient/Observation.rs patient/Condition.rs"
    )
    assert r.status_code == 400
    assert json.loads(r.content)["error"] == "invalid_scope"


def test_a_revoked_token_opens_nothing(connected, client):
    _user, _app, oc, body = connected
    r = client.post(
        "/oauth/revoke/",
        {"token": body["access_token"], "client_id": oc.client_id},
    )
    assert r.status_code == 200
    assert (
        Client().get("/fhir/R4/Observation", headers=bearer(body["access_token"])).status_code
        == 401
    )


def test_disconnecting_in_partage_ends_the_tokens(connected, client):
    user, app, _oc, body = connected
    [g] = [
        g
        for g in grants.list_grants(
            Actor.of_user(user),
            pid_of(user),
        )
        if g.kind == "app"
    ]
    assert g.practitioner == app.name
    partage = english(client).get("/partage/")
    assert app.name.encode() in partage.content and b"Disconnect" in partage.content
    r = client.post(f"/partage/acces/{g.id}/retirer/")
    assert r.status_code in (200, 302)
    assert (
        Client().get("/fhir/R4/Observation", headers=bearer(body["access_token"])).status_code
        == 401
    )
