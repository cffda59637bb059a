"""An app is refused what the person did not give it: a wrong PKCE verifier, PKCE
« plain », scopes wider than its catalogue entry, another person's record, an expired
grant."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from carnet.access import grants, masks
from carnet.access.models import Grant
from carnet.access.services import Actor, Purpose
from carnet.records import imports
from carnet.records import services as records

from .people import pid_of
from .smart_client import authorize_url, consent, lea, oauth_client, register_app, token

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def lea_and_app(client):
    user, app = lea(), register_app()
    client.force_login(user)
    return user, app


def _connected(client, app, kinds=("measurements",)):
    oc = oauth_client(app)
    r = token(client, oc, consent(client, oc, list(kinds)))
    assert r.status_code == 200, r.content
    return json.loads(r.content)


def test_a_wrong_pkce_verifier_gets_no_token(client, lea_and_app):
    _user, app = lea_and_app
    oc = oauth_client(app)
    code = consent(client, oc, ["measurements"])
    r = token(client, oc, code, verifier="x" * 64)
    assert r.status_code == 400
    assert json.loads(r.content)["error"] == "invalid_grant"


def test_pkce_plain_is_refused_before_the_consent_screen(client, lea_and_app):
    _user, app = lea_and_app
    oc = oauth_client(app)
    url = authorize_url(oc).replace("code_challenge_method=S256", "code_challenge_method=plain")
    assert client.get(url).status_code == 400
    without = authorize_url(oc).replace("code_challenge_method=S256", "")
    assert client.get(without).status_code == 400


def test_a_scope_wider_than_the_catalogue_allows_is_refused(client, lea_and_app):
    _user, app = lea_and_app
    oc = oauth_client(app)
    r = client.get(authorize_url(oc, "launch/patient patient/MedicationRequest.rs"))
    # DOT sends the error back to the app's redirect URI: invalid_scope, nothing shown.
    assert r.status_code == 302 and "error=invalid_scope" in r["Location"]


def test_another_persons_record_is_answered_as_absent(client, lea_and_app):
    _user, app = lea_and_app
    body = _connected(client, app)
    other = lea()  # another person, with a weight of her own
    me = Actor.of_user(other)
    patient = records.search(me, pid_of(other), "Patient", Purpose.SELF, count=1).resources[0]
    weight = records.search(me, pid_of(other), "Observation", Purpose.SELF, count=1).resources[0]
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    api = Client()
    search = api.get(f"/fhir/R4/Observation?patient={patient['id']}", headers=auth)
    read = api.get(f"/fhir/R4/Observation/{weight['id']}", headers=auth)
    absent = api.get("/fhir/R4/Observation/does-not-exist", headers=auth)
    assert search.status_code == read.status_code == absent.status_code == 404
    assert read.content == absent.content


def test_an_expired_grant_makes_the_token_useless(client, lea_and_app):
    user, app = lea_and_app
    body = _connected(client, app)
    grant = grants.app_grant(pid_of(user), app.pk)
    Grant.objects.filter(pk=grant.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = Client().get(
        "/fhir/R4/Observation", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert r.status_code == 401


def test_an_item_kept_for_oneself_or_sensitive_stays_hidden_from_the_app(client, lea_and_app):
    user, app = lea_and_app
    me, pid = Actor.of_user(user), pid_of(user)
    sensitive = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:s",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "meta": {
                        "security": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                                "code": "R",
                            }
                        ]
                    },
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
                    "code": {"text": "Restricted weight"},
                    "valueQuantity": {"value": 70, "unit": "kg"},
                },
            }
        ],
    }
    imports.import_bundle(me, sensitive, patient_id=pid, purpose=Purpose.SELF)
    weight = next(
        r
        for r in records.search(me, pid, "Observation", Purpose.SELF, count=10).resources
        if r["code"].get("text") == "Weight"
    )
    masks.set_mask(me, pid, "Observation", weight["id"], audience="self")
    body = _connected(client, app)
    r = Client().get(
        "/fhir/R4/Observation", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert r.status_code == 200
    assert r.json()["total"] == 0  # the masked weight and the restricted one both hidden
