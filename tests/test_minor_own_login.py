"""From 15, a young person gets a login of their own on the record their parent created:
invited by the parent (from the child's card) or by their doctor (from the record's page),
by a one-time link that expires. They then own the record — everything it held, its access
history included — see what is kept from their parents, and hide more items themselves;
the parent keeps their parent proxy and is told nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnet.access import audit, minors
from carnet.access.models import AuditEntry, ItemMask, MinorInvitation, Proxy
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts.models import Patient
from carnet.notify.models import Message
from carnet.records import services as records

from .minors import SECRET, consult, family
from .people import citizen

PASSWORD = "Un mot de passe assez long 2026"


def _link(message) -> str:
    return re.search(r"https?://\S+/invitation/(\S+?)/", message.body).group(1)


def _accept(token: str) -> Client:
    teen = Client()
    done = teen.post(
        reverse("coffre:minor_accept", args=[token]),
        {"name": "Lina", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert done.status_code == 302, done.content.decode()
    return teen


def test_the_mother_invites_lina_from_her_card(client):
    mum, pid, doctor = family(client)
    secret_id = consult(client, doctor, pid)
    chain_before = AuditEntry.objects.filter(patient_id=pid).count()
    client.force_login(mum)
    card = client.get(reverse("coffre:spaces")).content.decode()
    invite = reverse("coffre:minor_invite", args=[pid])
    assert invite in card
    mail.outbox.clear()
    sent = client.post(invite, {"email": "lina.esquirol@example.org"})
    assert sent.status_code == 302
    [message] = mail.outbox
    assert message.to == ["lina.esquirol@example.org"]
    token = _link(message)
    assert not MinorInvitation.objects.filter(digest=token).exists()  # only its digest is kept

    # Lina opens the link, chooses her password: she owns her record, and is signed in.
    page = Client().get(reverse("coffre:minor_accept", args=[token])).content.decode()
    assert "lina.esquirol@example.org" in page
    told_before = Message.objects.filter(user_id=mum.pk).count()
    teen = _accept(token)
    owner = Patient.objects.get(pk=pid).owner
    assert owner.email == "lina.esquirol@example.org" and owner.check_password(PASSWORD)
    # The same record: everything it held, and its history, unbroken.
    assert AuditEntry.objects.filter(patient_id=pid).count() > chain_before
    assert audit.verify_chain(pid)[1] is None
    assert records.provenance(Actor.of_user(owner), pid, secret_id, Purpose.SELF)
    # Her mother keeps her parent proxy, and is told nothing.
    assert Proxy.objects.filter(patient_id=pid, proxy_id=mum.pk, basis="parent").exists()
    assert Message.objects.filter(user_id=mum.pk).count() == told_before

    # Lina sees the confidential consultation, marked as such, on her own item page.
    item = teen.get(reverse("records:item", args=[secret_id])).content.decode()
    assert SECRET in item and 'name="not_parents"' in item and "checked" in item
    # The link works once.
    again = Client().get(reverse("coffre:minor_accept", args=[token]))
    assert again.status_code == 404


def test_lina_hides_another_item_from_her_parents(client):
    mum, pid, doctor = family(client)
    other = consult(client, doctor, pid, confidential=False, reason="Acné", text="Crème.")
    token = minors.invite(Actor.of_user(mum), pid, "lina@example.org")
    teen = _accept(token)
    parent = Actor.of_user(mum)
    assert "Acné" in str(records.everything(parent, pid, Purpose.PROXY))
    done = teen.post(reverse("records:item_parents", args=[other]), {"not_parents": "on"})
    assert done.status_code == 302
    assert ItemMask.objects.get(patient_id=pid, fhir_id=other).hide_from_parents
    assert "Acné" not in str(records.everything(parent, pid, Purpose.PROXY))
    # Her doctor still sees it.
    assert "Acné" in str(records.everything(Actor.of_user(doctor), pid, Purpose.TREATMENT))
    # In her history: the change, as her own.
    entry = AuditEntry.objects.filter(patient_id=pid, action="mask").latest("seq")
    assert entry.actor_id == Patient.objects.get(pk=pid).owner_id and entry.purpose == "self"


def test_her_doctor_invites_her_from_the_record_page_by_email_and_sms(client, settings, tmp_path):
    settings.CARNET_SMS_BACKEND = "file"
    settings.CARNET_SMS_FILE = tmp_path / "sms.jsonl"
    _mum, pid, doctor = family(client)
    client.force_login(doctor)
    page = client.get(reverse("records:pro_record", args=[pid])).content.decode()
    invite = reverse("coffre:minor_invite", args=[pid])
    assert invite in page
    mail.outbox.clear()
    wrong = client.post(invite, {"email": "lina@example.org", "phone": "12"})
    assert wrong.status_code == 400 and not mail.outbox
    sent = client.post(invite, {"email": "lina@example.org", "phone": "06 12 34 56 78"})
    assert sent.status_code == 302
    [sms] = [json.loads(line) for line in settings.CARNET_SMS_FILE.read_text().splitlines()]
    assert sms["to"] == "+33612345678"
    token = re.search(r"/invitation/(\S+?)/", sms["text"]).group(1)
    assert token == _link(mail.outbox[0])  # the same one-time link
    _accept(token)
    assert Patient.objects.get(pk=pid).owner.email == "lina@example.org"
    # Once she has her login, nobody can invite again.
    assert client.get(invite).status_code == 404


def test_no_invitation_under_15_by_a_stranger_or_once_expired(client):
    mum, pid, _doctor = family(client, age_years=14)
    with pytest.raises(NotFound):
        minors.invite(Actor.of_user(mum), pid, "leo@example.org")
    mum, pid, _doctor = family(client)

    with pytest.raises(NotFound):
        minors.invite(Actor.of_user(citizen("Bob")), pid, "lina@example.org")
    with pytest.raises(minors.InviteRefused):
        minors.invite(Actor.of_user(mum), pid, mum.email)  # an address already in use
    token = minors.invite(Actor.of_user(mum), pid, "lina@example.org")
    MinorInvitation.objects.update(expires_at=timezone.now())
    assert Client().get(reverse("coffre:minor_accept", args=[token])).status_code == 404
    # A new invitation replaces the previous one.
    first = minors.invite(Actor.of_user(mum), pid, "lina@example.org")
    second = minors.invite(Actor.of_user(mum), pid, "lina@example.org")
    assert Client().get(reverse("coffre:minor_accept", args=[first])).status_code == 404
    assert Client().get(reverse("coffre:minor_accept", args=[second])).status_code == 200
