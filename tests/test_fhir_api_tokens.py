from datetime import timedelta

import pytest
from django.utils import timezone

from carnet.access import audit
from carnet.accounts import services as accounts
from carnet.accounts.models import AccessToken

from .fhir_api import SMALL, citizen, denials, import_into


def assert_401(response, *, invalid: bool):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/fhir+json")
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "login"
    assert body["issue"][0]["severity"] == "error"


@pytest.fixture
def alice():
    user, auth = citizen("alice@example.org")
    import_into(user)
    return user, auth


def test_a_valid_token_opens_the_api_and_is_marked_used(client, alice):
    user, auth = alice
    r = client.get("/fhir/R4/Patient", headers=auth)
    assert r.status_code == 200
    assert r.json()["total"] == 1
    assert AccessToken.objects.get(user=user).last_used_at is not None


def test_no_token_is_401_with_a_challenge(client, alice):
    for url in ("/fhir/R4/Patient", "/fhir/R4/Observation/x", "/fhir/R4/Patient/x/$everything"):
        assert_401(client.get(url), invalid=False)
    assert_401(client.post("/fhir/R4", data="{}", content_type="application/json"), invalid=False)


def test_unknown_malformed_revoked_and_expired_tokens_are_401(client, alice):
    user, auth = alice
    assert_401(
        client.get("/fhir/R4/Patient", headers={"Authorization": "Bearer carnet_nope"}),
        invalid=True,
    )
    assert_401(
        client.get("/fhir/R4/Patient", headers={"Authorization": "Basic YWxpY2U6cGFzcw=="}),
        invalid=True,
    )
    raw = auth["Authorization"].removeprefix("Bearer ")
    token = AccessToken.objects.get(user=user)

    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_401(client.get("/fhir/R4/Patient", headers=auth), invalid=True)

    AccessToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert client.get("/fhir/R4/Patient", headers=auth).status_code == 200
    assert accounts.revoke_token(user, token.pk)
    assert_401(
        client.get("/fhir/R4/Patient", headers={"Authorization": f"Bearer {raw}"}), invalid=True
    )


def test_a_deactivated_account_loses_its_tokens(client, alice):
    user, auth = alice
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_401(client.get("/fhir/R4/Patient", headers=auth), invalid=True)


def test_a_signed_in_browser_session_does_not_reach_the_api(client, alice):
    user, _auth = alice
    client.force_login(user)
    assert_401(client.get("/fhir/R4/Patient"), invalid=False)
    before = len(audit.history(accounts.patient_of(user).pk))
    r = client.post("/fhir/R4", data=SMALL.read_bytes(), content_type="application/fhir+json")
    assert_401(r, invalid=False)
    assert len(audit.history(accounts.patient_of(user).pk)) == before  # nothing imported


def test_a_token_reaches_only_its_owners_record(client, alice):
    alice_user, alice_auth = alice
    _bob, bob_auth = citizen("bob@example.org")
    alice_pid = accounts.patient_of(alice_user).pk
    patient = client.get("/fhir/R4/Patient", headers=alice_auth).json()["entry"][0]["resource"]
    cond = client.get("/fhir/R4/Condition", headers=alice_auth).json()["entry"][0]["resource"]
    denied_before = len(denials(alice_pid))

    answers = [
        client.get(f"/fhir/R4/Condition/{cond['id']}", headers=bob_auth),
        client.get(f"/fhir/R4/Condition/{cond['id']}/_history", headers=bob_auth),
        client.get(f"/fhir/R4/Condition?patient=Patient/{patient['id']}", headers=bob_auth),
        client.get(f"/fhir/R4/Patient/{patient['id']}/$everything", headers=bob_auth),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert len({a.content for a in answers}) == 1
    new = denials(alice_pid)[: len(denials(alice_pid)) - denied_before]
    assert sorted(e["action"] for e in new) == ["read", "read", "read", "search"]
    assert all(e["decision"] == "deny" and e["actor_id"] == _bob.pk for e in new)
    verified, problem = audit.verify_chain(alice_pid)
    assert problem is None and verified > 0
