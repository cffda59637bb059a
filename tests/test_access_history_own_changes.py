"""Henri's own changes to who sees what appear in his history, each in a plain sentence:
sharing given and taken back, an item hidden and shown again, a relative let in and
their access ended, emergency settings."""

from django.urls import reverse

from carnet.access import emergency, grants, masks, proxies
from carnet.access.services import Actor

from .access_records import record_with_items
from .people import citizen, english, give, pro


def test_his_own_changes_are_said_in_sentences(client):
    henri, pid, made = record_with_items(citizen("Henri Marty"))
    me = Actor.of_user(henri)
    martin = pro("Dr Martin", "médecin généraliste")
    kine = pro("Julien Carmes", "masseur-kinésithérapeute")
    sophie = citizen("Sophie Esquirol")
    grants.set_referent(me, pid, martin.pk)
    shared = grants.share(me, pid, kine.pk, categories=["measurements"], duration="month")
    grants.revoke(me, pid, shared.pk)
    masks.set_mask(me, pid, *made["flu_vaccine"], audience="self", hide_in_emergency=True)
    masks.set_mask(me, pid, *made["flu_vaccine"], audience="care_team")
    proxy = give(henri, pid, sophie)
    proxies.revoke_proxy(me, pid, proxy.pk)
    emergency.set_refusal(me, pid, True)
    english(client).force_login(henri)
    html = client.get(reverse("coffre:history")).content.decode()
    for said in (
        "You chose Dr Martin as your médecin traitant.",
        "You shared your record with Julien Carmes.",
        "You stopped sharing your record with Julien Carmes.",
        "You hid 1 vaccine: only you see it. It stays hidden in an emergency.",
        "You showed 1 vaccine to your care team again.",
        "You let Sophie Esquirol act for you.",
        "You ended the access of Sophie Esquirol to your space.",
        "You refused emergency access to your record.",
    ):
        assert said in html, said
    # Newest first: the last change is on top.
    assert html.index("You refused emergency access") < html.index("You chose Dr Martin")


def test_in_french_the_sentences_read_right(client):
    henri, pid, _made = record_with_items(citizen("Henri Marty", language="fr"))
    kine = pro("Julien Carmes", "masseur-kinésithérapeute")
    grants.share(Actor.of_user(henri), pid, kine.pk, categories=["measurements"])
    client.force_login(henri)
    html = client.get(reverse("coffre:history")).content.decode()
    assert "Vous avez partagé votre dossier avec Julien Carmes." in html
