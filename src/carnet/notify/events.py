"""Every message the platform can send, in every language it speaks, with no health detail.

An event is a key, the few parameters it may carry and its texts. Parameters are
whitelisted per event and each kind is checked (a reply code is digits, a count is a
number, a time of day is HH:MM, a relative's first name is letters), when queued and
again when rendered: a caller cannot slip a diagnosis, a practitioner's specialty or a document title
into an email or an SMS. Who did what, and to which part of the record, is read in the
app after signing in; the message only says that there is something to read there.

The texts are gettext messages (context « notification »; English in the source, French
in locale/fr) rendered in the recipient's language, whatever the language of the request
that queued them or of the worker that sends them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.utils.functional import Promise
from django.utils.translation import override, pgettext, pgettext_lazy

from .links import path_for

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE

# The only parameters any message may carry, each with what a harmless value looks like.
PARAM_RULES = {
    "code": re.compile(r"^[0-9]{4,8}$"),  # a short reply code for an SMS answer
    "count": re.compile(r"^[0-9]{1,5}$"),  # how many notifications a digest groups
    # A time of day, HH:MM (24 h), already in the recipient's time zone: an hour says
    # nothing about anyone's health, and only digits and a colon can pass.
    "time": re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"),
    # A relative's first name (a child whose record a parent manages): letters, with at
    # most two hyphens, apostrophes or spaces between them (Léo, Anne-Sophie, N'Golo).
    "first_name": re.compile(r"^(?=.{1,40}$)[^\W\d_]+(?:[-' ’][^\W\d_]+){0,2}$"),
}


class UnknownEvent(ValueError):
    pass


class BadParams(ValueError):
    pass


def format_time(value: str, lang: str) -> str:
    """A checked HH:MM as the language writes it: "14 h 30" in French, "14:30" in English.

    Built from the two numbers only, so nothing but digits reaches a text.
    """
    if not PARAM_RULES["time"].fullmatch(str(value)):
        raise BadParams("a time of day is HH:MM")
    hours, minutes = (int(part) for part in str(value).split(":"))
    with override(language(lang)):
        return pgettext("a time of day", "%(hours)s:%(minutes)s") % {
            "hours": hours,
            "minutes": f"{minutes:02d}",
        }


@dataclass(frozen=True)
class Event:
    """An event's texts (gettext, English source, French in locale/fr) and what it may carry."""

    key: str
    subject: Promise
    line: Promise
    params: tuple[str, ...] = ()
    path: str = "/"
    urgent: bool = False
    sms: Promise | None = None  # an SMS of its own; else « Carnet : <line> <url> »
    line_one: Promise | None = None  # the line when ``count`` is 1


EVENTS: dict[str, Event] = {
    e.key: e
    for e in [
        Event(
            "new_message",
            pgettext_lazy("notification", "New message in Carnet"),
            pgettext_lazy("notification", "You have a new message in Carnet."),
        ),
        Event(
            "new_reminder",
            pgettext_lazy("notification", "New reminder in Carnet"),
            pgettext_lazy("notification", "You have a new reminder in Carnet."),
        ),
        Event(
            "first_look",
            pgettext_lazy("notification", "Your record was viewed"),
            pgettext_lazy(
                "notification",
                "A health professional looked at your record for the first time: open "
                "Carnet to see who.",
            ),
        ),
        Event(
            "emergency_access",
            pgettext_lazy("notification", "Emergency access to your record"),
            pgettext_lazy(
                "notification", "Someone opened your record in an emergency: open Carnet."
            ),
            urgent=True,
        ),
        Event(
            "grant_created",
            pgettext_lazy("notification", "New access to your record"),
            pgettext_lazy(
                "notification", "A new access to your record was opened: open Carnet to see it."
            ),
        ),
        Event(
            "grant_revoked",
            pgettext_lazy("notification", "Access to your record withdrawn"),
            pgettext_lazy(
                "notification", "An access to your record was withdrawn: open Carnet to see it."
            ),
        ),
        Event(
            "proxy_created",
            pgettext_lazy("notification", "New proxy access"),
            pgettext_lazy(
                "notification",
                "A proxy access to your Carnet space was created: open Carnet to see it.",
            ),
        ),
        Event(
            "proxy_revoked",
            pgettext_lazy("notification", "Proxy access withdrawn"),
            pgettext_lazy(
                "notification",
                "A proxy access to your Carnet space was withdrawn: open Carnet to see it.",
            ),
        ),
        Event(
            "access_activity",
            pgettext_lazy("notification", "News about access to your record"),
            pgettext_lazy(
                "notification", "Something changed about who can see your record: open Carnet."
            ),
        ),
        Event(
            "access_request",
            pgettext_lazy("notification", "Request to access your record"),
            pgettext_lazy(
                "notification",
                "A health professional asks to access your record: open Carnet to accept or refuse.",
            ),
            params=("code",),
            sms=pgettext_lazy(
                "notification",
                "Carnet: a health professional asks to access your record. Reply OUI "
                "%(code)s to accept or NON %(code)s to refuse, or open %(url)s",
            ),
        ),
        Event(
            "access_request_approved",
            pgettext_lazy("notification", "Your approval is recorded"),
            pgettext_lazy("notification", "Your approval has been recorded."),
        ),
        Event(
            "access_request_refused",
            pgettext_lazy("notification", "Your refusal is recorded"),
            pgettext_lazy("notification", "Your refusal has been recorded."),
        ),
        Event(
            "reply_unknown_code",
            pgettext_lazy("notification", "Unknown code"),
            pgettext_lazy(
                "notification",
                "This code matches no pending request: open Carnet to see your requests.",
            ),
        ),
        Event(
            "reply_not_understood",
            pgettext_lazy("notification", "Reply not understood"),
            pgettext_lazy(
                "notification",
                "Carnet did not understand your reply. Answer OUI or NON followed by the "
                "code you received, or open Carnet.",
            ),
        ),
        Event(
            "digest",
            pgettext_lazy("notification", "News in Carnet"),
            pgettext_lazy("notification", "You have %(count)s new notifications in Carnet."),
            params=("count",),
            line_one=pgettext_lazy("notification", "You have one new notification in Carnet."),
        ),
        Event(
            "test",
            pgettext_lazy("notification", "Carnet test message"),
            pgettext_lazy(
                "notification", "This is a test message: your Carnet notifications work."
            ),
        ),
        Event(
            "renewal_request",
            pgettext_lazy("notification", "Renewal request"),
            pgettext_lazy(
                "notification", "A person asks you to renew a prescription: open Carnet to answer."
            ),
            path="/pro/renouvellements/",
        ),
        Event(
            "renewal_answer",
            pgettext_lazy("notification", "Answer to your renewal request"),
            pgettext_lazy(
                "notification", "Your renewal request has an answer: open Carnet to read it."
            ),
            path="/renouvellements/",
        ),
        Event(
            "record_added",
            pgettext_lazy("notification", "Something was added to your record"),
            pgettext_lazy(
                "notification",
                "A health professional added something to your record: open Carnet to see "
                "who and what.",
            ),
            path="/dossier/chronologie/",
        ),
        Event(
            "appointment_booked",
            pgettext_lazy("notification", "Appointment confirmed"),
            pgettext_lazy("notification", "Your appointment is confirmed: open Carnet to see it."),
            path="/rendez-vous/",
        ),
        Event(
            "appointment_moved",
            pgettext_lazy("notification", "Appointment moved"),
            pgettext_lazy(
                "notification", "An appointment was moved: open Carnet to see the new time."
            ),
            path="/rendez-vous/",
        ),
        Event(
            "appointment_cancelled",
            pgettext_lazy("notification", "Appointment cancelled"),
            pgettext_lazy("notification", "An appointment was cancelled: open Carnet to see it."),
            path="/rendez-vous/",
        ),
        Event(
            "appointment_tomorrow",
            pgettext_lazy("notification", "Appointment tomorrow at %(time)s"),
            pgettext_lazy(
                "notification",
                "Reminder: you have an appointment tomorrow at %(time)s. Open Carnet to "
                "see the place.",
            ),
            params=("time",),
            path="/rendez-vous/",
        ),
        Event(
            "appointment_soon",
            pgettext_lazy("notification", "Appointment at %(time)s"),
            pgettext_lazy(
                "notification",
                "Reminder: you have an appointment soon, at %(time)s. Open Carnet to see the place.",
            ),
            params=("time",),
            path="/rendez-vous/",
        ),
        Event(
            "help_answer",
            pgettext_lazy("notification", "Answer to your question"),
            pgettext_lazy(
                "notification", "An advisor answered your question: open Carnet to read the answer."
            ),
            path="/aide/mes-questions/",
        ),
        Event(
            "help_question",
            pgettext_lazy("notification", "New question in the help centre"),
            pgettext_lazy(
                "notification",
                "A new question is waiting for an advisor: open Carnet to answer it.",
            ),
            path="/aide/conseil/",
        ),
        Event(
            "chat_waiting",
            pgettext_lazy("notification", "Emergency chat: someone is waiting"),
            pgettext_lazy(
                "notification",
                "Someone is waiting in the emergency chat of a service you are on call "
                "for: open Carnet to answer.",
            ),
            path="/pro/garde/",
            urgent=True,
        ),
        Event(
            "community_reply",
            pgettext_lazy("notification", "A reply in a group"),
            pgettext_lazy(
                "notification", "A reply to your message in a group: open Carnet to read it."
            ),
            path="/entraide/",
        ),
        Event(
            "community_thanks",
            pgettext_lazy("notification", "Someone thanked you in a group"),
            pgettext_lazy("notification", "Someone said thank you for your message in a group."),
            path="/entraide/",
        ),
        Event(
            "community_moderation",
            pgettext_lazy("notification", "A moderator acted in a group"),
            pgettext_lazy(
                "notification",
                "A moderator acted on your messages in a group: open Carnet to see why.",
            ),
            path="/entraide/",
        ),
        Event(
            "community_waiting",
            pgettext_lazy("notification", "Messages waiting in a group"),
            pgettext_lazy(
                "notification",
                "Messages are waiting for a moderator in a group you moderate: open Carnet.",
            ),
            path="/entraide/",
        ),
        Event(
            "relative_reminder",
            pgettext_lazy("notification", "A reminder for %(first_name)s"),
            pgettext_lazy(
                "notification", "A reminder for %(first_name)s is due: open Carnet to see it."
            ),
            params=("first_name",),
            path="/mes-proches/",
        ),
        Event(
            "relative_reminder_unnamed",
            pgettext_lazy("notification", "A reminder for a relative"),
            pgettext_lazy(
                "notification",
                "A reminder is due for a relative whose space you manage: open Carnet to see it.",
            ),
            path="/mes-proches/",
        ),
    ]
}

# The words around every email.
COMMON = {
    "greeting": pgettext_lazy("notification", "Hello,"),
    "open": pgettext_lazy("notification", "Open Carnet"),
    "privacy": pgettext_lazy(
        "notification",
        "To protect your privacy, this message contains no detail about your health: "
        "everything is in Carnet, after signing in.",
    ),
    "why": pgettext_lazy(
        "notification",
        "You receive this message because you chose to be told by email. You can change "
        "your choices in your Carnet account.",
    ),
    "sms": pgettext_lazy("notification", "Carnet: %(line)s %(url)s"),
}


def get(event: str) -> Event:
    try:
        return EVENTS[event]
    except KeyError:
        raise UnknownEvent(f"unknown notification event {event!r}") from None


def language(value: str | None) -> str:
    value = (value or "").split("-")[0].lower()
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def clean_params(event: str, params: dict | None) -> dict:
    """The parameters, checked: only those the event declares, each a harmless value."""
    ev = get(event)
    params = dict(params or {})
    unexpected = sorted(set(params) - set(ev.params))
    if unexpected:
        raise BadParams(f"event {event!r} takes no parameter {', '.join(unexpected)}")
    missing = sorted(set(ev.params) - set(params))
    if missing:
        raise BadParams(f"event {event!r} needs {', '.join(missing)}")
    out = {}
    for key, value in params.items():
        text = str(value)
        if isinstance(value, bool) or not PARAM_RULES[key].fullmatch(text):
            raise BadParams(f"parameter {key!r} of event {event!r} has a refused value")
        out[key] = text
    return out


def site_url() -> str:
    return getattr(settings, "CARNET_SITE_URL", "http://localhost:8000").rstrip("/")


def url_for(event: str, role: str = "") -> str:
    """The page a message opens (``links``: by URL name, per role), else the event's path."""
    return site_url() + (path_for(event, role) or get(event).path)


def _context(event: str, params: dict, lang: str, role: str = "") -> dict:
    ev = get(event)
    # Only the declared parameters ever reach a text, whatever a row's params hold, and
    # each is checked again here: a value written past ``clean_params`` is refused too.
    safe = {}
    for key in ev.params:
        if key not in params:
            continue
        text = str(params[key])
        if not PARAM_RULES[key].fullmatch(text):
            raise BadParams(f"parameter {key!r} of event {event!r} has a refused value")
        safe[key] = format_time(text, lang) if key == "time" else text
    return {**safe, "url": url_for(event, role)}


def render_part(event: str, part: str, params: dict, lang: str, role: str = "") -> str:
    """One text of an event ("subject", "line" or "sms") in a language."""
    ev = get(event)
    lang = language(lang)
    ctx = _context(event, params, lang, role)
    with override(lang):
        if part == "line" and ev.line_one is not None and ctx.get("count") == "1":
            return str(ev.line_one)
        if part == "sms":
            if ev.sms is not None:
                return str(ev.sms) % ctx
            line = render_part(event, "line", params, lang)
            return str(COMMON["sms"]) % {"line": line, **ctx}
        if part not in ("subject", "line"):
            raise KeyError(part)
        return str(getattr(ev, part)) % ctx


def render_email(event: str, params: dict, lang: str, role: str = "") -> dict:
    """Subject, plain text and HTML of an email, from the event's three-template set.

    An event may have its own set in ``notify/email/<event>/``; others use the shared one.
    """
    lang = language(lang)
    with override(lang):
        words = {key: str(text) for key, text in COMMON.items()}
    ctx = {
        "lang": lang,
        "title": render_part(event, "subject", params, lang),
        "line": render_part(event, "line", params, lang),
        "url": url_for(event, role),
        **words,
    }

    def pick(name: str) -> str:
        tpl = select_template([f"notify/email/{event}/{name}", f"notify/email/{name}"])
        return tpl.template.name

    with override(lang):
        subject = render_to_string(pick("subject.txt"), ctx)
        return {
            "subject": " ".join(subject.split()),
            "text": render_to_string(pick("body.txt"), ctx),
            "html": render_to_string(pick("body.html"), ctx),
        }


def render_push(event: str, params: dict, lang: str, role: str = "") -> dict:
    return {
        "title": render_part(event, "subject", params, lang),
        "body": render_part(event, "line", params, lang),
        "url": url_for(event, role),
    }


def render(event: str, channel: str, params: dict, lang: str, role: str = "") -> dict:
    """Everything a channel sends for an event; the privacy test renders these for all.

    ``role`` is the recipient's: a practitioner's link may open another page (``links``).
    """
    if channel == "email":
        return render_email(event, params, lang, role)
    if channel == "sms":
        return {"text": render_part(event, "sms", params, lang, role)}
    return render_push(event, params, lang, role)
