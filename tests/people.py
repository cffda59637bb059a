"""One shared base of people, made through the real services (as Healthchecks' hc/test.py).

``make_people()`` returns a ``People``: Alice, a citizen with a small record; Rémi, her
relative who holds a proxy on it; Dr Grant, a practitioner she shares her record with (read
and write); Dr Plain, a practitioner with no grant (who asked for access: a pending request);
Bob, a stranger citizen with a record of his own; Ada, a help-centre advisor; Rosa, a
researcher. Alice's own things (an item, a grant, a proxy, an API token, a help question, a
conversation and an appointment with Dr Grant, a renewal request, a calendar feed, an emergency chat
waiting for Dr Grant, on call) are kept with their ids so that tests can fill URLs with them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone

from carnet.access import grants, proxies, requests
from carnet.access.labels import CATEGORIES
from carnet.access.models import Proxy
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.care import appointments, messaging, renewals
from carnet.care.directory import fold
from carnet.care.models import AppointmentType, DirectoryEntry
from carnet.chat import services as chat
from carnet.chat import triage
from carnet.helpdesk import services as helpdesk
from carnet.records import imports
from carnet.reminders import services as reminders

PASSWORD = "a long enough passphrase"

SMALL_RECORD = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:p",
            "resource": {"resourceType": "Patient", "name": [{"family": "Secretname"}]},
        },
        {
            "fullUrl": "urn:uuid:c",
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Secretcondition"},
                "subject": {"reference": "urn:uuid:p"},
            },
        },
        {
            "fullUrl": "urn:uuid:m",
            "resource": {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "medicationCodeableConcept": {"text": "Secretmedicine 500 mg"},
                "subject": {"reference": "urn:uuid:p"},
            },
        },
    ],
}


@dataclass
class People:
    alice: object  # the citizen whose record every route is tried on
    relative: object  # holds a proxy on Alice's record
    pro_granted: object  # Alice shares her record with this practitioner (read and write)
    pro_plain: object  # a practitioner with no grant
    stranger: object  # another citizen
    advisor: object
    researcher: object
    patient_id: int = 0  # Alice's record
    stranger_patient_id: int = 0
    things: dict = field(default_factory=dict)  # Alice's objects by URL keyword

    def by_role(self) -> dict:
        return {
            "owner": self.alice,
            "proxy": self.relative,
            "pro_granted": self.pro_granted,
            "pro_plain": self.pro_plain,
            "stranger": self.stranger,
            "advisor": self.advisor,
            "researcher": self.researcher,
        }


def list_in_directory(rpps: str, display_name: str = "", profession: str = "") -> None:
    """Put a practitioner in the practitioner directory, as the national extract would.

    A practitioner account must match the directory (RPPS number, name, profession:
    accounts.services._as_listed), so tests list their practitioners first. The listing
    takes the account's name without titles, and its profession (Médecin by default).
    """
    words = display_name.split()
    if len(words) > 1 and fold(words[0]) in {"dr", "docteur", "pr", "mme"}:
        words = words[1:]
    first, last = (" ".join(words[:-1]), words[-1]) if words else ("", f"Praticien {rpps}")
    profession = profession or "Médecin"
    DirectoryEntry.objects.update_or_create(
        national_id="8" + rpps,
        activity_key="",
        defaults={
            "source": "rpps",
            "id_type": "8",
            "identifier": rpps,
            "rpps": rpps,
            "first_name": first,
            "last_name": last,
            "profession": profession,
            "name_norm": fold(f"{last} {first}"),
            "name_rev_norm": fold(f"{first} {last}"),
            "profession_norm": fold(profession),
            "updated_at": timezone.now(),
        },
    )


def practitioner_account(email: str, password: str | None = None, **fields):
    """accounts.create_user for a practitioner listed in the directory first."""
    fields.setdefault("role", "practitioner")
    list_in_directory(
        fields.get("rpps", ""), fields.get("display_name", ""), fields.get("profession", "")
    )
    return accounts.create_user(email, password, **fields)


_n = itertools.count(1)


def citizen(
    name: str = "Antoine Roussel",
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
    language: str = "en",
    **fields,
):
    """A citizen, with the record of their own that accounts.create_user opens for them.

    Accounts speak English by default, as the pages the tests read (``english(client)``), so
    that assertions do not hang on the French catalogue; ``language="fr"`` is the site's own.
    """
    email = email or f"citizen-{next(_n)}@example.org"
    return accounts.create_user(email, password, display_name=name, language=language, **fields)


def practitioner(
    name: str = "Julien Carmes",
    profession: str = "masseur-kinésithérapeute",
    organisation: str = "Cabinet de kinésithérapie du Busca",
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
    rpps: str | None = None,
    language: str = "en",
    **fields,
):
    """A health professional, listed in the national directory first (as the account must be)."""
    n = next(_n)
    return practitioner_account(
        email or f"pro-{n}@example.org",
        password,
        rpps=rpps or f"{20000000000 + n}",
        display_name=name,
        profession=profession,
        organisation=organisation,
        language=language,
        **fields,
    )


pro = practitioner  # the name most sharing and care tests use


def advisor(name: str = "Élodie Lalande", *, email: str | None = None, **fields):
    """A help-centre advisor (Maison France Services)."""
    fields.setdefault("organisation", "Maison France Services")
    fields.setdefault("language", "en")
    email = email or f"advisor-{next(_n)}@example.org"
    return accounts.create_user(email, PASSWORD, role="advisor", display_name=name, **fields)


def researcher(name: str = "Rosa", *, email: str | None = None, **fields):
    email = email or f"researcher-{next(_n)}@example.org"
    return accounts.create_user(email, PASSWORD, role="researcher", display_name=name, **fields)


def make_people() -> People:
    fr = {"language": "fr"}
    alice = citizen("Alice Martin", email="alice@example.org", **fr)
    people = People(
        alice=alice,
        relative=citizen("Rémi Martin", email="remi@example.org", **fr),
        pro_granted=practitioner(
            "Dr Grant", "médecin", "", email="dr.grant@example.org", rpps="10000000011", **fr
        ),
        pro_plain=practitioner(
            "Dr Plain", "médecin", "", email="dr.plain@example.org", rpps="10000000012", **fr
        ),
        stranger=citizen("Bob", email="bob@example.org", **fr),
        advisor=advisor("", email="ada@example.org", organisation="", **fr),
        researcher=researcher("", email="rosa@example.org"),
    )
    me = Actor.of_user(alice)
    pid = people.patient_id = accounts.patient_of(alice).pk
    people.stranger_patient_id = accounts.patient_of(people.stranger).pk
    result = imports.import_bundle(
        me, SMALL_RECORD, patient_id=pid, purpose=Purpose.SELF, person=imports.MINE_TAKE_DETAILS
    )  # her record's file names her « Secretname » (a marker): she says it is hers
    condition = next(i for t, i, _v in result.locations if t == "Condition")
    card = next(i for t, i, _v in result.locations if t == "Patient")
    medicine = next(i for t, i, _v in result.locations if t == "MedicationRequest")
    grant = grants.share(
        me, pid, people.pro_granted.pk, categories=CATEGORIES, mode="write", duration="month"
    )
    proxy = proxies.add_proxy(
        me, pid, people.relative.pk, permissions=("read", "appointments", "messages", "manage")
    )
    asked = requests.ask(
        Actor.of_user(people.pro_plain),
        target=alice.email,
        reason="suivi",
        categories=["problems"],
    )
    token, _raw = accounts.create_token(alice, "Alice's key")
    question = helpdesk.ask(alice, "Une question", "Comment partager mon dossier ?")
    dr = people.pro_granted
    talk = messaging.start(me, pid, dr.pk, "Ma tension", "Bonjour, est-ce normal ?")
    renewal = renewals.ask(me, pid, "MedicationRequest", medicine, dr.pk)
    every_day = {d: [["08:00", "18:00"]] for d in range(7)}
    appointments.publish(Actor.of_user(dr), every_day, [("Consultation", 20)])
    kind = AppointmentType.objects.get(practitioner_id=dr.pk)
    first = next(iter(appointments.free_slots(dr.pk, kind.pk).values()))[0]
    appointment = appointments.book(me, pid, dr.pk, kind.pk, first)
    feed_secret = reminders.feed_reset(me, pid)
    chat.join(Actor.of_user(dr), "general")
    no_red_flag = {k: "no" for k in triage.KEYS}
    waiting = chat.open_chat(me, pid, "general", no_red_flag, shares_dataset=True)
    people.things = {
        "patient_id": pid,
        "item_id": condition,
        "medicine_id": medicine,
        "fhir_patient_id": card,
        "grant_id": grant.pk,
        "proxy_id": proxy.pk,
        "request_id": asked.pk,
        "token_id": token.pk,
        "help_request_id": question.pk,
        "practitioner_id": dr.pk,
        "conversation_id": talk.pk,
        "renewal_id": renewal.pk,
        "appointment_id": appointment.pk,
        "secret": feed_secret,
        "chat_id": waiting.pk,
    }
    return people


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


def add_child(client, parent, born: date, given="Léo", family="Esquirol"):
    client.force_login(parent)
    done = client.post(
        reverse("coffre:child_add"),
        {"given": given, "family": family, "birth_date": born.isoformat(), "parent": "on"},
    )
    assert done.status_code == 302, done.content.decode()
    return Proxy.objects.filter(proxy_id=parent.pk, basis="parent").latest("id").patient_id


def give(henri, pid, sophie, permissions=("read",)):
    return proxies.add_proxy(Actor.of_user(henri), pid, sophie.pk, permissions=list(permissions))
