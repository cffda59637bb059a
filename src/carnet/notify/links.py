"""Where each message leads: the page that says more, after signing in.

A message never carries the detail itself (``events``); its link opens the page where the
person reads it: a reminder opens the Rappels page, an access request the pending
requests of the sharing page, an appointment the appointments page (the practitioner's
diary for a practitioner). Pages are named by their URL names and reversed when a message
is rendered, so that a moved page keeps its links. An event missing here, or whose page
is not installed, falls back to the ``path`` it declares (``/`` by default).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

PRACTITIONER = "practitioner"

# event -> (URL name for a person, URL name for a practitioner or "" for the same, anchor)
LINKS: dict[str, tuple[str, str, str]] = {
    "new_message": ("care:conversations", "care:pro_conversations", ""),
    "new_reminder": ("reminders:index", "", ""),
    "first_look": ("coffre:history", "", ""),
    "emergency_access": ("coffre:history", "", ""),
    "access_activity": ("coffre:history", "", ""),
    "grant_created": ("coffre:sharing", "", ""),
    "grant_revoked": ("coffre:sharing", "", ""),
    "proxy_created": ("coffre:proxies", "", ""),
    "proxy_revoked": ("coffre:proxies", "", ""),
    "access_request": ("coffre:sharing", "", "pending-title"),
    "access_request_approved": ("coffre:sharing", "", ""),
    "access_request_refused": ("coffre:sharing", "", ""),
    "reply_unknown_code": ("coffre:sharing", "", ""),
    "reply_not_understood": ("coffre:sharing", "", ""),
    "renewal_request": ("care:pro_renewals", "", ""),
    "renewal_answer": ("care:renewals", "", ""),
    "appointment_booked": ("care:appointments", "care:pro_agenda", ""),
    "appointment_moved": ("care:appointments", "care:pro_agenda", ""),
    "appointment_cancelled": ("care:appointments", "care:pro_agenda", ""),
    "appointment_tomorrow": ("care:appointments", "care:pro_agenda", ""),
    "appointment_soon": ("care:appointments", "care:pro_agenda", ""),
    "help_answer": ("helpdesk:mine", "", ""),
    "help_question": ("helpdesk:advisor_inbox", "", ""),
    "chat_waiting": ("chat:pro_desk", "", ""),
    "community_reply": ("community:index", "", ""),
    "community_thanks": ("community:index", "", ""),
    "community_moderation": ("community:index", "", ""),
    "community_waiting": ("community:index", "", ""),
    # A relative's reminder opens the spaces the proxy manages: choosing the relative there
    # (a POST, checked again on every page) switches Carnet to their space and Rappels.
    "relative_reminder": ("coffre:spaces", "", ""),
    "relative_reminder_unnamed": ("coffre:spaces", "", ""),
}


def path_for(event: str, role: str = "") -> str | None:
    """The path (with its anchor) of the page a message about ``event`` opens, or None."""
    found = LINKS.get(event)
    if found is None:
        return None
    person, pro, anchor = found
    name = pro if role == PRACTITIONER and pro else person
    try:
        path = reverse(name)
    except NoReverseMatch:
        return None
    return path + (f"#{anchor}" if anchor else "")
