"""A resource server (a confidential client of the catalogue) asks whether an app's token
is active (RFC 7662 introspection)."""

from __future__ import annotations

import base64
import json

import pytest

from carnet.smart import services

from .smart_client import consent, lea, oauth_client, register_app, token

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_live_token_is_active_and_a_revoked_one_is_not(client):
    user, app = lea(), register_app()
    client.force_login(user)
    oc = oauth_client(app)
    access = json.loads(token(client, oc, consent(client, oc, ["measurements"])).content)
    server, secret = services.register(
        "Hôpital portail",
        publisher="CHU",
        redirect_uris=["https://chu.example/cb"],
        scopes="patient/Observation.rs",
        category="care",
        confidential=True,
    )
    basic = base64.b64encode(f"{server.application.client_id}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}

    r = client.post("/oauth/introspect/", {"token": access["access_token"]}, headers=headers)
    assert r.status_code == 200, r.content
    assert r.json()["active"] is True and "patient/Observation.rs" in r.json()["scope"]

    client.post("/oauth/revoke/", {"token": access["access_token"], "client_id": oc.client_id})
    r = client.post("/oauth/introspect/", {"token": access["access_token"]}, headers=headers)
    assert r.json()["active"] is False
