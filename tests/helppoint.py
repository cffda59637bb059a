"""What the tests of the help point share: a France Services desk in Muret, its advisor,
Henri (a citizen with a small record), and a help session opened with his code."""

from __future__ import annotations

from carnet.access.services import Actor
from carnet.accounts import services as accounts
from carnet.helppoint import services as helppoint
from carnet.helppoint.models import DeskAdvisor, HelpPoint

from .people import PASSWORD, advisor, citizen


def desk(kiosk: bool = False, name: str = "France Services de Muret") -> HelpPoint:
    return HelpPoint.objects.create(name=name, kind="france_services", town="Muret", kiosk=kiosk)


def desk_advisor(point: HelpPoint | None = None, name: str = "Claire Dupont", **fields):
    point = point or desk()
    user = advisor(name, **fields)
    DeskAdvisor.objects.create(user=user, help_point=point)
    return user


def henri(**fields):
    user = citizen("Henri Martin", **fields)
    return user, accounts.patient_of(user).pk


def code_for(person, scopes=("import", "reminders")) -> str:
    pid = accounts.patient_of(person).pk
    return helppoint.create_code(Actor.of_user(person), pid, scopes).code


def open_session(person, adv, scopes=("import", "reminders")):
    """Henri makes a code in his app; the advisor types it: the session is open."""
    return helppoint.redeem(adv, code_for(person, scopes))


__all__ = ["PASSWORD", "code_for", "desk", "desk_advisor", "henri", "open_session"]
