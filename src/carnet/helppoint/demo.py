"""The demo's help point: France Services de Muret, where Élodie Lalande helps people
(``carnet demo``). Running it again changes nothing."""

from __future__ import annotations

from carnet.accounts.models import User

from .models import DeskAdvisor, HelpPoint

MURET = {"name": "France Services de Muret", "kind": "france_services", "town": "Muret"}


def load(advisor_email: str) -> HelpPoint:
    point, _created = HelpPoint.objects.get_or_create(name=MURET["name"], defaults=MURET)
    advisor = User.objects.filter(email=advisor_email, role="advisor").first()
    if advisor is not None:
        DeskAdvisor.objects.get_or_create(user=advisor, defaults={"help_point": point})
    return point
