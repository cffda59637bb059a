"""The sharing page: who sees my record, pending requests, and who may open the page.

Also holds the small helpers the other ``test_sharing_*``, ``test_access_request*`` and
``test_access_history*`` files use. Pages are read in English (the cookie below) so that
the assertions do not depend on the French catalogue, which is completed separately.
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts

from .helpers import practitioner_account

PASSWORD = "a long enough passphrase"
_n = itertools.count(1)


def citizen(name: str = "Antoine Roussel", **fields):
    n = next(_n)
    return accounts.create_user(
        f"citizen-{n}@example.org", PASSWORD, display_name=name, language="en", **fields
    )


def pro(
    name: str = "Julien Carmes",
    profession: str = "masseur-kinésithérapeute",
    organisation: str = "Cabinet de kinésithérapie du Busca",
):
    n = next(_n)
    return practitioner_account(
        f"pro-{n}@example.org",
        PASSWORD,
        role="practitioner",
        rpps=f"{20000000000 + n}",
        display_name=name,
        profession=profession,
        organisation=organisation,
        language="en",
    )


def english(client):
    client.cookies["django_language"] = "en"
    return client


def confirmed(client, user):
    """Signed in, and confirmed who they are just now (asked before opening access)."""
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, "the password confirmation was refused"
    return client


def pid_of(user) -> int:
    return accounts.patient_of(user).pk


TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def with_totp(user) -> None:
    """Turn on two-factor authentication (a TOTP authenticator) for ``user``."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )


def totp_code() -> str:
    """The code the person's authenticator app shows now."""
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    return f"{hotp_value(TOTP_SECRET, int(time.time()) // 30):06d}"


# --- tests ---------------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_sign_in(client):
    for name in ("coffre:sharing", "coffre:history", "coffre:pro_requests"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_shows_the_referent_the_practitioners_and_how_to_take_back(client):
    person, gp, physio = citizen(), pro("Claire Garonne", "médecin généraliste"), pro()
    me = Actor.of_user(person)
    grants.set_referent(me, pid_of(person), gp.pk)
    grants.share(me, pid_of(person), physio.pk, categories=["measurements"], duration="month")
    english(client).force_login(person)
    html = client.get(reverse("coffre:sharing")).content.decode()
    assert "My médecin traitant" in html and "Claire Garonne" in html
    assert "Julien Carmes" in html and "masseur-kinésithérapeute" in html
    assert "measurements (weight, blood pressure, activity…)" in html
    assert reverse("coffre:sharing_revoke_all") in html
    assert reverse("coffre:sharing_items") in html
    assert 'href="/partage/"' in html  # the menu entry


def test_a_practitioner_has_no_sharing_page_but_their_own(client):
    doctor = pro()
    english(client).force_login(doctor)
    assert client.get(reverse("coffre:sharing")).status_code == 404
    assert client.get(reverse("coffre:history")).status_code == 404
    assert client.get(reverse("coffre:pro_requests")).status_code == 200


def test_a_citizen_has_no_practitioner_pages(client):
    english(client).force_login(citizen())
    assert client.get(reverse("coffre:pro_requests")).status_code == 404
    assert client.get(reverse("coffre:pro_patients")).status_code == 404


@pytest.mark.parametrize("name", ["coffre:sharing", "coffre:sharing_items", "coffre:history"])
def test_pages_render_for_an_empty_record(client, name):
    english(client).force_login(citizen())
    assert client.get(reverse(name)).status_code == 200
