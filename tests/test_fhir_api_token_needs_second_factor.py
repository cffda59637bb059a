"""Second factor means every door: a professional's API token works only while the account
has a second factor, when CARNET_REQUIRE_MFA is on (issue 13, point 8)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts

from .access_records import record_with_items
from .fhir_api import citizen, import_into
from .people import practitioner

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])


@pytest.fixture
def shared():
    owner, pid, made = record_with_items()
    doc = practitioner("Dr Kine")
    grants.share(Actor.of_user(owner), pid, doc.pk, categories=["measurements", "problems"])
    _t, raw = accounts.create_token(doc)
    url = f"/fhir/R4/Patient/{made['patient'][1]}/$everything"
    return doc, url, {"Authorization": f"Bearer {raw}"}


def test_a_token_issued_earlier_stops_working_until_there_is_a_second_factor(
    client, settings, shared
):
    doc, url, auth = shared
    settings.CARNET_REQUIRE_MFA = False
    assert client.get(url, headers=auth).status_code == 200  # issued while not required

    settings.CARNET_REQUIRE_MFA = True
    refused = client.get(url, headers=auth)
    assert refused.status_code == 401
    body = refused.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "login"
    assert "second factor" in body["issue"][0]["diagnostics"]
    assert "entry" not in body

    factor = Authenticator.objects.create(user=doc, type=Authenticator.Type.TOTP, data={})
    assert client.get(url, headers=auth).status_code == 200

    factor.delete()  # removing the second factor closes the door again
    assert client.get(url, headers=auth).status_code == 401


def test_recovery_codes_alone_are_not_a_second_factor(client, settings, shared):
    doc, url, auth = shared
    settings.CARNET_REQUIRE_MFA = True
    Authenticator.objects.create(user=doc, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert client.get(url, headers=auth).status_code == 401


def test_a_citizens_token_is_not_affected(client, settings):
    settings.CARNET_REQUIRE_MFA = True
    user, auth = citizen("alice@example.org")
    import_into(user)
    assert client.get("/fhir/R4/Patient", headers=auth).status_code == 200
