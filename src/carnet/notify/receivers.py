"""Telling the person about accesses to their record (the ``access`` app's signal).

``carnet.access.signals.access_event`` is sent on commit with ``patient_id``, ``event``,
``actor_label`` and ``urgent``. The actor's label is deliberately not passed on: a
practitioner's name or specialty can reveal a condition, so the message only says that
something happened and the person reads who and why in their access history.
"""

from __future__ import annotations

import logging

log = logging.getLogger("carnet.notify")

ACCESS_EVENTS = {
    "first_look": "first_look",
    "emergency": "emergency_access",
    "break_glass": "emergency_access",
    "grant_created": "grant_created",
    "grant_revoked": "grant_revoked",
    "proxy_created": "proxy_created",
    "proxy_revoked": "proxy_revoked",
    # card_reset, emergency_refusal_changed and anything new: "access_activity".
}


def on_access_event(sender, *, patient_id, event, actor_label="", urgent=False, **kwargs):
    from . import services

    notify_event = ACCESS_EVENTS.get(event, "access_activity")
    urgent = bool(urgent) or notify_event == "emergency_access"
    key = kwargs.get("key")
    try:
        services.notify_patient(
            int(patient_id),
            notify_event,
            urgent=urgent,
            key=f"access:{key}" if key else None,
        )
    except Exception:
        # A failure to notify must never undo or break the access it is about.
        log.exception("could not notify patient %s of access event %s", patient_id, event)


def connect() -> bool:
    """Connect to the access signal when the access app provides it."""
    try:
        from carnet.access.signals import access_event
    except ImportError:
        return False
    access_event.connect(on_access_event, dispatch_uid="carnet.notify.on_access_event")
    return True
