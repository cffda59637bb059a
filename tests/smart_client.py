"""A SMART app for tests: registered in the catalogue, driven by oauthlib's maintained
client (``WebApplicationClient`` with PKCE S256) through Django's test client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from oauthlib.oauth2 import WebApplicationClient

from carnet.access.services import Actor, Purpose
from carnet.records import imports
from carnet.smart import services

from .people import citizen, pid_of

REDIRECT = "https://pregnancy.example/callback"
SCOPES = "launch/patient offline_access patient/Observation.rs patient/Condition.rs"

RECORD = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:p",
            "resource": {"resourceType": "Patient", "name": [{"family": "Lea"}]},
        },
        {
            "fullUrl": "urn:uuid:w",
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "vital-signs",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [{"system": "http://loinc.org", "code": "29463-7"}],
                    "text": "Weight",
                },
                "valueQuantity": {
                    "value": 64,
                    "unit": "kg",
                    "system": "http://unitsofmeasure.org",
                    "code": "kg",
                },
                "effectiveDateTime": "2026-11-02",
                "subject": {"reference": "urn:uuid:p"},
            },
        },
        {
            "fullUrl": "urn:uuid:c",
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Secretcondition"},
                "subject": {"reference": "urn:uuid:p"},
            },
        },
    ],
}


def register_app(name: str = "Neuf mois", scopes: str = SCOPES):
    app, _secret = services.register(
        name,
        publisher="Maternité Libre",
        redirect_uris=[REDIRECT],
        scopes=scopes,
        category="pregnancy",
        purpose="Follow your pregnancy week by week.",
        privacy_url="https://pregnancy.example/privacy",
    )
    return app


def lea():
    user = citizen("Léa Martin")
    imports.import_bundle(
        Actor.of_user(user), RECORD, patient_id=pid_of(user), purpose=Purpose.SELF
    )
    return user


def oauth_client(app) -> WebApplicationClient:
    client = WebApplicationClient(app.application.client_id)
    client.create_code_verifier(64)
    client.create_code_challenge(client.code_verifier, "S256")
    return client


def authorize_url(oc: WebApplicationClient, scope: str = SCOPES, **extra) -> str:
    url = oc.prepare_request_uri(
        "https://testserver/oauth/authorize/",
        redirect_uri=REDIRECT,
        scope=scope,
        state="xyz",
        code_challenge=oc.code_challenge,
        code_challenge_method="S256",
        aud="https://testserver/fhir/R4",
        **extra,
    )
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


def consent(client, oc, kinds, scope: str = SCOPES) -> str:
    """The person allows the app on the consent screen; returns the code."""
    page = client.get(authorize_url(oc, scope))
    assert page.status_code == 200, page.content[:500]
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"allow": "on", "kinds": kinds, "duration": "month"})
    r = client.post("/oauth/authorize/", data)
    assert r.status_code == 302, r.content[:500]
    query = parse_qs(urlparse(r["Location"]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def token(client, oc, code: str, verifier: str | None = None):
    body = oc.prepare_request_body(
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier or oc.code_verifier,
        include_client_id=True,
    )
    return client.post("/oauth/token/", body, content_type="application/x-www-form-urlencoded")


def refresh(client, oc, refresh_token: str, scope: str | None = None):
    body = oc.prepare_refresh_body(refresh_token=refresh_token, scope=scope, client_id=oc.client_id)
    return client.post("/oauth/token/", body, content_type="application/x-www-form-urlencoded")
