"""Shared set-up of the emergency chat tests (no test here): people made through the real services."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from carnet.access.services import Actor, Purpose
from carnet.asgi import application
from carnet.chat import services, triage
from carnet.records import services as records

from .people import citizen, pid_of, pro

NO_FLAGS = {k: "no" for k in triage.KEYS}


def person(name: str = "Karim Benali", *, allergy: bool = True):
    """A citizen whose record holds a Patient and, by default, a serious allergy."""
    user = citizen(name)
    pid = pid_of(user)
    me = Actor.of_user(user)
    patient = records.create(
        me, pid, {"resourceType": "Patient", "name": [{"text": name}]}, Purpose.SELF
    )
    if allergy:
        records.create(
            me,
            pid,
            {
                "resourceType": "AllergyIntolerance",
                "patient": {"reference": f"Patient/{patient['id']}"},
                "code": {"text": "Pénicilline"},
                "criticality": "high",
            },
            Purpose.SELF,
        )
    return user, pid


def on_call_doctor(name: str = "Dr Hugo Rangueil", service: str = "general"):
    doctor = pro(name, profession="médecin généraliste", organisation="Maison de garde")
    services.join(Actor.of_user(doctor), service)
    return doctor


def opened(user, pid, service: str = "general", *, share: bool = False):
    return services.open_chat(Actor.of_user(user), pid, service, NO_FLAGS, shares_dataset=share)


def cookie_of(user) -> str:
    """A signed-in session cookie (made before the event loop runs: it writes the session)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def socket(cookie, chat_id, origin="http://localhost"):
    return WebsocketCommunicator(
        application,
        f"/ws/urgence-tchat/{chat_id}/",
        headers=[(b"origin", origin.encode()), (b"cookie", cookie.encode())],
    )


def open_chat():
    user, pid = person(allergy=False)
    doctor = on_call_doctor()
    chat = opened(user, pid)
    services.take(Actor.of_user(doctor), chat.pk)
    return user, doctor, chat
