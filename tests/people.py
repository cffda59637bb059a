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

from dataclasses import dataclass, field

from carnet.access import grants, proxies, requests
from carnet.access.labels import CATEGORIES
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.care import appointments, messaging, renewals
from carnet.care.models import AppointmentType
from carnet.chat import services as chat
from carnet.chat import triage
from carnet.helpdesk import services as helpdesk
from carnet.records import imports
from carnet.reminders import services as reminders

from .helpers import practitioner_account

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


def practitioner(email: str, rpps: str, name: str):
    return practitioner_account(email, PASSWORD, rpps=rpps, display_name=name, profession="médecin")


def make_people() -> People:
    alice = accounts.create_user("alice@example.org", PASSWORD, display_name="Alice Martin")
    people = People(
        alice=alice,
        relative=accounts.create_user("remi@example.org", PASSWORD, display_name="Rémi Martin"),
        pro_granted=practitioner("dr.grant@example.org", "10000000011", "Dr Grant"),
        pro_plain=practitioner("dr.plain@example.org", "10000000012", "Dr Plain"),
        stranger=accounts.create_user("bob@example.org", PASSWORD, display_name="Bob"),
        advisor=accounts.create_user("ada@example.org", PASSWORD, role="advisor"),
        researcher=accounts.create_user("rosa@example.org", PASSWORD, role="researcher"),
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
