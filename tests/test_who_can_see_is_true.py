"""Every sentence about who sees the record is computed from the real grants, proxies, settings.

Karim (demo) has a médecin traitant and a care team: his home must never say that he alone
sees his record. A new person's home says so until they share, and every change of
sharing changes the sentence.
"""

from __future__ import annotations

import io

from django.core.management import call_command

from carnet.access import emergency, grants, proxies
from carnet.access.services import Actor
from carnet.accounts.models import User
from carnet.accounts.services import patient_of
from carnet.demo import personas

from .access_records import record_with_items
from .people import citizen, pro

ALONE_FR = "Vous seul"


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _home(client, user) -> str:
    return _page(client, user, "/")


def test_karim_is_not_told_he_alone_sees_his_record(client):
    call_command("demo", stdout=io.StringIO())
    karim = User.objects.get(email=personas.DIABETIC.email)
    pid = patient_of(karim).pk
    live = grants.list_grants(Actor.of_user(karim), pid)
    assert live, "the demo gives Karim a care team"
    html = _home(client, karim)
    assert ALONE_FR not in html and "Seulement vous" not in html
    for g in live:
        assert g.practitioner in html
    referent = next(g for g in live if g.kind == "referent")
    assert f"{referent.practitioner}, votre médecin traitant" in html
    assert 'href="/partage/"' in html


def test_each_change_of_sharing_changes_the_sentence(client):
    person = citizen()
    person.language = "fr"
    person.save(update_fields=["language"])
    owner, pid, _made = record_with_items(person)
    me = Actor.of_user(owner)
    html = _home(client, owner)
    assert "Seulement vous" in html
    assert "En cas d’urgence" in html
    physio = pro()
    grants.share(me, pid, physio.pk, categories=["measurements"], duration="until_revoked")
    html = _home(client, owner)
    assert "Seulement vous" not in html and "Julien Carmes" in html
    daughter = citizen("Sophie Esquirol")
    proxies.add_proxy(me, pid, daughter.pk, permissions=("read",))
    html = _home(client, owner)
    assert "Sophie Esquirol" in html
    emergency.set_refusal(me, pid, True)
    html = _home(client, owner)
    assert "En cas d’urgence" not in html and "refusé" in html
    # Withdrawing everything says what stays true: nobody else.
    client.post("/partage/tout-retirer/")
    html = _home(client, owner)
    assert "Seulement vous" in html and "Julien Carmes" not in html


def test_the_treatments_page_names_the_relatives_who_see_it(client):
    person = citizen()
    person.language = "fr"
    person.save(update_fields=["language"])
    owner, pid, _made = record_with_items(person)
    html = _page(client, owner, "/rappels/traitements/")
    assert "Vous seul le voyez" in html
    daughter = citizen("Sophie Esquirol")
    proxies.add_proxy(Actor.of_user(owner), pid, daughter.pk, permissions=("read",))
    html = _page(client, owner, "/rappels/traitements/")
    assert "Vous seul le voyez" not in html
    assert "Sophie Esquirol" in html
