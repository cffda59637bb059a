"""The sharing page: who sees my record, pending requests, and who may open the page.

Also holds the small helpers the other ``test_sharing_*``, ``test_access_request*`` and
``test_access_history*`` files use. Pages are read in English (the cookie below) so that
the assertions do not depend on the French catalogue, which is completed separately.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor

from .people import citizen, english, pid_of, pro

PASSWORD = "a long enough passphrase"


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
