"""Telling the person about accesses to their record (the ``access`` app's signal).

``carnet.access.signals.access_event`` is sent on commit with ``patient_id``, ``event``,
``actor_label`` and ``urgent``. The actor's label is deliberately not passed on: a
practitioner's name or specialty can reveal a condition, so the message only says that
something happened and the person reads who and why in their access history.

``access_request`` (a practitioner asks for access) tells the person with the code they may
answer by SMS; "OUI …"/"NON …" replies go back to ``carnet.access.requests``.
``minor_invitation`` sends a minor the link to a login of their own (email, and SMS).
Notify listens to access and calls it; access never imports notify.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from carnet.access import requests as access_requests
from carnet.access.signals import access_event, access_request, minor_invitation

from . import events, services, sms

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


def on_access_request(sender, *, patient_id, request_id, reply_code, **kwargs):
    """Tell the person a practitioner asked for access, with the code to answer by SMS."""
    try:
        services.notify_patient(
            patient_id,
            "access_request",
            params={"code": reply_code},
            key=f"access-request:{request_id}",
        )
    except Exception:  # the request stands; the person also sees it in the app
        log.exception("could not tell patient %s about access request %s", patient_id, request_id)


def on_minor_invitation(sender, *, email, phone, token, days, **kwargs):
    """A minor invited to a login of their own: the one-time link by email, and by SMS too
    when a number was given (no name, no health data: a link). A gateway failure is logged:
    the email went, and the inviter can send again."""
    url = events.site_url() + reverse("coffre:minor_accept", args=[token])
    context = {"invitation_url": url, "days": days}
    subject = render_to_string("account/email/minor_invitation_subject.txt", context).strip()
    body = render_to_string("account/email/minor_invitation_message.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email]).send()
    if not phone:
        return
    text = gettext(
        "Carnet: you are invited to your own health record. Choose your password here "
        "(the link works once, for %(days)d days): %(url)s"
    ) % {"days": days, "url": url}
    ref = "minor-" + hashlib.sha256(token.encode()).hexdigest()[:16]
    try:
        sms.backend().send(sms.Sms(to=phone, text=text, client_ref=ref))
    except sms.SmsError:
        log.warning("minor invitation: the SMS gateway refused the message")


def register_sms_answers() -> None:
    """Route "OUI …" and "NON …" SMS replies to the access requests they answer."""
    services.register_reply_handler("OUI", access_requests.answer_yes)
    services.register_reply_handler("NON", access_requests.answer_no)


def connect() -> bool:
    """Listen to the access app's signals and take the SMS answers to its requests."""
    access_event.connect(on_access_event, dispatch_uid="carnet.notify.on_access_event")
    access_request.connect(on_access_request, dispatch_uid="carnet.notify.on_access_request")
    minor_invitation.connect(on_minor_invitation, dispatch_uid="carnet.notify.on_minor_invitation")
    register_sms_answers()
    return True
