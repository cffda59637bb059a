"""What ``access`` tells the rest of Carnet: one signal, sent after the change commits.

Contract of ``access_event`` (a ``django.dispatch.Signal``), keyword arguments:

- ``patient_id`` (int): whose record it is about; the receiver finds whom to tell.
- ``event`` (str): ``first_look`` (a practitioner looked for the first time),
  ``emergency`` (the glass was broken, by declaration or with the card),
  ``grant_created``, ``grant_revoked``, ``proxy_created``, ``proxy_revoked``,
  ``card_reset``, ``emergency_refusal_changed``.
- ``actor_label`` (str): who did it, as the person would read it (a name, not an id).
- ``urgent`` (bool): tell at once by every channel the person chose (emergencies).

``access_request`` (a second signal) is sent when a practitioner asks for access to a record,
with ``patient_id``, ``request_id`` and ``reply_code`` (the code the person answers by SMS).

``minor_invitation`` (a third signal) is sent when a minor is invited to a login of their own
(``minors.invite``, once the invitation is committed), with ``email``, ``phone`` (E.164 or "") and ``token`` (the raw one-time
token of the link; never logged) and ``days`` (how long it works); notify sends the link.

The first two are sent with ``transaction.on_commit``: never for work that was rolled back, and
never while the access decision's transaction is still open. A receiver's failure is
logged and does not undo the access (``send_robust``); delivery belongs to ``notify``.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger("carnet.access")

access_event = Signal()
access_request = Signal()
minor_invitation = Signal()

EVENTS = frozenset(
    {
        "first_look",
        "emergency",
        "grant_created",
        "grant_revoked",
        "proxy_created",
        "proxy_revoked",
        "card_reset",
        "emergency_refusal_changed",
    }
)


def send_on_commit(patient_id: int, event: str, actor_label: str, *, urgent: bool = False):
    """Send ``access_event`` once the current transaction commits (at once if there is none)."""
    if event not in EVENTS:
        raise ValueError(f"unknown access event {event!r}")

    def send():
        for receiver, result in access_event.send_robust(
            sender="carnet.access",
            patient_id=patient_id,
            event=event,
            actor_label=actor_label,
            urgent=urgent,
        ):
            if isinstance(result, Exception):
                log.error("access_event receiver %r failed: %r", receiver, result)

    transaction.on_commit(send)


def send_access_request(patient_id: int, request_id: int, reply_code: str) -> None:
    """Send ``access_request`` now (the caller sends it on commit); failures are logged."""
    for receiver, result in access_request.send_robust(
        sender="carnet.access",
        patient_id=patient_id,
        request_id=request_id,
        reply_code=reply_code,
    ):
        if isinstance(result, Exception):
            log.error("access_request receiver %r failed: %r", receiver, result)


def send_minor_invitation(email: str, phone: str, token: str, days: int) -> None:
    """Send ``minor_invitation`` (the caller has committed the invitation); failures logged."""
    for receiver, result in minor_invitation.send_robust(
        sender="carnet.access", email=email, phone=phone, token=token, days=days
    ):
        if isinstance(result, Exception):
            log.error("minor_invitation receiver %r failed: %r", receiver, result)
