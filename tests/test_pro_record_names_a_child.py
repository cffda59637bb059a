"""A doctor's view of a child's record names the child, from the record's Patient card.

A record a parent made has no account of its own, so no account name: the header read
« Dossier de une personne (nom non indiqué) » although the record says « Léo Esquirol ».
"""

from datetime import date

from django.test import Client
from django.urls import reverse

from carnet.access import grants
from carnet.access.services import Actor
from carnet.accounts import services as accounts

from .people import add_child, citizen, practitioner


def test_the_doctor_sees_the_childs_name_on_every_page_of_the_record():
    mum = citizen("Sophie Esquirol", language="fr")
    pid = add_child(Client(), mum, date(2015, 3, 2), given="Léo", family="Esquirol")
    doctor = practitioner("Dr Claire Garonne", "médecin généraliste", language="fr")
    grants.set_referent(Actor.of_user(mum), pid, doctor.pk)

    client = Client()
    client.force_login(doctor)
    for page in ("records:pro_record", "records:pro_timeline"):
        html = client.get(reverse(page, args=[pid])).content.decode()
        assert "Dossier de Léo Esquirol" in html, page
        assert "nom non indiqué" not in html, page


def test_an_account_name_still_comes_first():
    owner = citizen("Karim Haddad", language="fr")
    doctor = practitioner("Dr Claire Garonne", "médecin généraliste", language="fr")
    pid = accounts.patient_of(owner).pk
    grants.set_referent(Actor.of_user(owner), pid, doctor.pk)
    client = Client()
    client.force_login(doctor)
    html = client.get(reverse("records:pro_record", args=[pid])).content.decode()
    assert "Dossier de Karim Haddad" in html
