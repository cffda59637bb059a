"""The practitioner's workspace: what waits for them, in one place, without opening records.

Patients who share their record, access requests still waiting, unread messages and
renewal requests (counted, not opened: nothing of a record is read here, so nothing is
written to anyone's access history), today's and the next appointments.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from carnet.access import requests
from carnet.access.services import Actor, NotFound
from carnet.accounts.models import Patient

from . import appointments, messaging, renewals
from .models import Appointment

NEXT_SHOWN = 5


@dataclass
class Workspace:
    patients: list[requests.SharedRecord]
    waiting_requests: int
    unread_messages: int
    unread_conversations: int
    waiting_renewals: int
    today: list[tuple[Appointment, str]]
    coming: list[tuple[Appointment, str]]
    published: bool


def for_practitioner(actor: Actor) -> Workspace:
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotFound()
    agenda = appointments.agenda(actor, days=appointments.HORIZON_DAYS)
    names = dict(
        Patient.objects.filter(pk__in={a.patient_id for a in agenda}).values_list(
            "pk", "owner__display_name"
        )
    )
    today = timezone.localdate()
    rows = [(a, names.get(a.patient_id) or "") for a in agenda]
    unread, conversations = messaging.unread_for_practitioner(actor)
    schedule, _types = appointments.schedule_of(actor.user_id)
    return Workspace(
        patients=requests.shared_with(actor),
        waiting_requests=sum(1 for r in requests.sent_by(actor) if r.state == "waiting"),
        unread_messages=unread,
        unread_conversations=conversations,
        waiting_renewals=renewals.waiting_count(actor),
        today=[r for r in rows if timezone.localtime(r[0].start).date() == today],
        coming=[r for r in rows if timezone.localtime(r[0].start).date() > today][:NEXT_SHOWN],
        published=schedule is not None,
    )
