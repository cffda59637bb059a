"""Every message the platform can send, in every language it speaks, with no health detail.

An event is a key, the few parameters it may carry and its texts. Parameters are
whitelisted per event and each kind is checked (a reply code is digits, a count is a
number, a time of day is HH:MM, a relative's first name is letters), when queued and
again when rendered: a caller cannot slip a diagnosis, a practitioner's specialty or a document title
into an email or an SMS. Who did what, and to which part of the record, is read in the
app after signing in; the message only says that there is something to read there.

The texts are kept here per language rather than in the gettext catalogues of locale/
(owned by the web app and checked for completeness by its tests); each language is a full,
reviewed set, French first. Adding a language means adding its column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string, select_template

from .links import path_for

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

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
    if lang == "fr":
        return f"{hours} h {minutes:02d}"
    return f"{hours}:{minutes:02d}"


@dataclass(frozen=True)
class Event:
    key: str
    texts: dict[str, dict[str, str]]
    params: tuple[str, ...] = ()
    path: str = "/"
    urgent: bool = False
    extra: dict = field(default_factory=dict)


def _e(key, fr, en, params=(), path="/", urgent=False) -> Event:
    return Event(key=key, texts={"fr": fr, "en": en}, params=params, path=path, urgent=urgent)


EVENTS: dict[str, Event] = {
    e.key: e
    for e in [
        _e(
            "new_message",
            {
                "subject": "Nouveau message dans Carnet",
                "line": "Vous avez un nouveau message dans Carnet.",
            },
            {"subject": "New message in Carnet", "line": "You have a new message in Carnet."},
        ),
        _e(
            "new_reminder",
            {
                "subject": "Nouveau rappel dans Carnet",
                "line": "Vous avez un nouveau rappel dans Carnet.",
            },
            {"subject": "New reminder in Carnet", "line": "You have a new reminder in Carnet."},
        ),
        _e(
            "first_look",
            {
                "subject": "Votre dossier a été consulté",
                "line": "Un professionnel de santé a consulté votre dossier pour la première "
                "fois : ouvrez Carnet pour voir qui.",
            },
            {
                "subject": "Your record was viewed",
                "line": "A health professional looked at your record for the first time: "
                "open Carnet to see who.",
            },
        ),
        _e(
            "emergency_access",
            {
                "subject": "Accès en urgence à votre dossier",
                "line": "Quelqu'un a consulté votre dossier en urgence : ouvrez Carnet.",
            },
            {
                "subject": "Emergency access to your record",
                "line": "Someone opened your record in an emergency: open Carnet.",
            },
            urgent=True,
        ),
        _e(
            "grant_created",
            {
                "subject": "Nouvel accès à votre dossier",
                "line": "Un nouvel accès à votre dossier a été ouvert : ouvrez Carnet pour le voir.",
            },
            {
                "subject": "New access to your record",
                "line": "A new access to your record was opened: open Carnet to see it.",
            },
        ),
        _e(
            "grant_revoked",
            {
                "subject": "Accès à votre dossier retiré",
                "line": "Un accès à votre dossier a été retiré : ouvrez Carnet pour le voir.",
            },
            {
                "subject": "Access to your record withdrawn",
                "line": "An access to your record was withdrawn: open Carnet to see it.",
            },
        ),
        _e(
            "proxy_created",
            {
                "subject": "Nouvelle procuration",
                "line": "Une procuration sur votre espace Carnet a été créée : ouvrez Carnet "
                "pour la voir.",
            },
            {
                "subject": "New proxy access",
                "line": "A proxy access to your Carnet space was created: open Carnet to see it.",
            },
        ),
        _e(
            "proxy_revoked",
            {
                "subject": "Procuration retirée",
                "line": "Une procuration sur votre espace Carnet a été retirée : ouvrez Carnet "
                "pour le voir.",
            },
            {
                "subject": "Proxy access withdrawn",
                "line": "A proxy access to your Carnet space was withdrawn: open Carnet to see it.",
            },
        ),
        _e(
            "access_activity",
            {
                "subject": "Du nouveau sur les accès à votre dossier",
                "line": "Il y a du nouveau sur les accès à votre dossier : ouvrez Carnet.",
            },
            {
                "subject": "News about access to your record",
                "line": "Something changed about who can see your record: open Carnet.",
            },
        ),
        _e(
            "access_request",
            {
                "subject": "Demande d'accès à votre dossier",
                "line": "Un professionnel de santé demande l'accès à votre dossier : ouvrez "
                "Carnet pour accepter ou refuser.",
                "sms": "Carnet : un professionnel de santé demande l'accès à votre dossier. "
                "Répondez OUI %(code)s pour accepter ou NON %(code)s pour refuser, ou "
                "ouvrez %(url)s",
            },
            {
                "subject": "Request to access your record",
                "line": "A health professional asks to access your record: open Carnet to "
                "accept or refuse.",
                "sms": "Carnet: a health professional asks to access your record. Reply "
                "OUI %(code)s to accept or NON %(code)s to refuse, or open %(url)s",
            },
            params=("code",),
        ),
        _e(
            "access_request_approved",
            {
                "subject": "Votre accord est enregistré",
                "line": "Votre accord a bien été enregistré.",
            },
            {"subject": "Your approval is recorded", "line": "Your approval has been recorded."},
        ),
        _e(
            "access_request_refused",
            {
                "subject": "Votre refus est enregistré",
                "line": "Votre refus a bien été enregistré.",
            },
            {"subject": "Your refusal is recorded", "line": "Your refusal has been recorded."},
        ),
        _e(
            "reply_unknown_code",
            {
                "subject": "Code inconnu",
                "line": "Ce code ne correspond à aucune demande en cours : ouvrez Carnet pour "
                "voir vos demandes.",
            },
            {
                "subject": "Unknown code",
                "line": "This code matches no pending request: open Carnet to see your requests.",
            },
        ),
        _e(
            "reply_not_understood",
            {
                "subject": "Réponse non comprise",
                "line": "Carnet n'a pas compris votre réponse. Répondez OUI ou NON suivi du "
                "code reçu, ou ouvrez Carnet.",
            },
            {
                "subject": "Reply not understood",
                "line": "Carnet did not understand your reply. Answer OUI or NON followed by "
                "the code you received, or open Carnet.",
            },
        ),
        _e(
            "digest",
            {
                "subject": "Du nouveau dans Carnet",
                "line": "Vous avez %(count)s nouvelles notifications dans Carnet.",
                "line_one": "Vous avez une nouvelle notification dans Carnet.",
            },
            {
                "subject": "News in Carnet",
                "line": "You have %(count)s new notifications in Carnet.",
                "line_one": "You have one new notification in Carnet.",
            },
            params=("count",),
        ),
        _e(
            "test",
            {
                "subject": "Message de test de Carnet",
                "line": "Ceci est un message de test : vos notifications Carnet fonctionnent.",
            },
            {
                "subject": "Carnet test message",
                "line": "This is a test message: your Carnet notifications work.",
            },
        ),
        _e(
            "renewal_request",
            {
                "subject": "Demande de renouvellement",
                "line": "Une personne vous demande un renouvellement d'ordonnance : ouvrez "
                "Carnet pour répondre.",
            },
            {
                "subject": "Renewal request",
                "line": "A person asks you to renew a prescription: open Carnet to answer.",
            },
            path="/pro/renouvellements/",
        ),
        _e(
            "renewal_answer",
            {
                "subject": "Réponse à votre demande de renouvellement",
                "line": "Votre demande de renouvellement a reçu une réponse : ouvrez Carnet "
                "pour la lire.",
            },
            {
                "subject": "Answer to your renewal request",
                "line": "Your renewal request has an answer: open Carnet to read it.",
            },
            path="/renouvellements/",
        ),
        _e(
            "record_added",
            {
                "subject": "Ajout à votre dossier",
                "line": "Un professionnel de santé a ajouté un élément à votre dossier : "
                "ouvrez Carnet pour voir qui et quoi.",
            },
            {
                "subject": "Something was added to your record",
                "line": "A health professional added something to your record: open Carnet "
                "to see who and what.",
            },
            path="/dossier/chronologie/",
        ),
        _e(
            "appointment_booked",
            {
                "subject": "Rendez-vous confirmé",
                "line": "Votre rendez-vous est confirmé : ouvrez Carnet pour le voir.",
            },
            {
                "subject": "Appointment confirmed",
                "line": "Your appointment is confirmed: open Carnet to see it.",
            },
            path="/rendez-vous/",
        ),
        _e(
            "appointment_moved",
            {
                "subject": "Rendez-vous déplacé",
                "line": "Un rendez-vous a été déplacé : ouvrez Carnet pour voir la nouvelle heure.",
            },
            {
                "subject": "Appointment moved",
                "line": "An appointment was moved: open Carnet to see the new time.",
            },
            path="/rendez-vous/",
        ),
        _e(
            "appointment_cancelled",
            {
                "subject": "Rendez-vous annulé",
                "line": "Un rendez-vous a été annulé : ouvrez Carnet pour le voir.",
            },
            {
                "subject": "Appointment cancelled",
                "line": "An appointment was cancelled: open Carnet to see it.",
            },
            path="/rendez-vous/",
        ),
        _e(
            "appointment_tomorrow",
            {
                "subject": "Rendez-vous demain à %(time)s",
                "line": "Rappel : vous avez un rendez-vous demain à %(time)s. Ouvrez Carnet "
                "pour voir le lieu.",
            },
            {
                "subject": "Appointment tomorrow at %(time)s",
                "line": "Reminder: you have an appointment tomorrow at %(time)s. Open Carnet "
                "to see the place.",
            },
            params=("time",),
            path="/rendez-vous/",
        ),
        _e(
            "appointment_soon",
            {
                "subject": "Rendez-vous à %(time)s",
                "line": "Rappel : vous avez un rendez-vous bientôt, à %(time)s. Ouvrez Carnet "
                "pour voir le lieu.",
            },
            {
                "subject": "Appointment at %(time)s",
                "line": "Reminder: you have an appointment soon, at %(time)s. Open Carnet to "
                "see the place.",
            },
            params=("time",),
            path="/rendez-vous/",
        ),
        _e(
            "help_answer",
            {
                "subject": "Réponse à votre question",
                "line": "Un conseiller a répondu à votre question : ouvrez Carnet pour lire "
                "sa réponse.",
            },
            {
                "subject": "Answer to your question",
                "line": "An advisor answered your question: open Carnet to read the answer.",
            },
            path="/aide/mes-questions/",
        ),
        _e(
            "help_question",
            {
                "subject": "Nouvelle question au centre d'aide",
                "line": "Une nouvelle question attend un conseiller : ouvrez Carnet pour y "
                "répondre.",
            },
            {
                "subject": "New question in the help centre",
                "line": "A new question is waiting for an advisor: open Carnet to answer it.",
            },
            path="/aide/conseil/",
        ),
        _e(
            "chat_waiting",
            {
                "subject": "Tchat d'urgence : une personne attend",
                "line": "Une personne attend dans le tchat d'urgence d'un service où vous êtes "
                "de garde : ouvrez Carnet pour lui répondre.",
            },
            {
                "subject": "Emergency chat: someone is waiting",
                "line": "Someone is waiting in the emergency chat of a service you are on call "
                "for: open Carnet to answer.",
            },
            path="/pro/garde/",
            urgent=True,
        ),
        _e(
            "relative_reminder",
            {
                "subject": "Un rappel pour %(first_name)s",
                "line": "Un rappel pour %(first_name)s est arrivé : ouvrez Carnet pour le voir.",
            },
            {
                "subject": "A reminder for %(first_name)s",
                "line": "A reminder for %(first_name)s is due: open Carnet to see it.",
            },
            params=("first_name",),
            path="/mes-proches/",
        ),
        _e(
            "relative_reminder_unnamed",
            {
                "subject": "Un rappel pour un proche",
                "line": "Un rappel est arrivé pour un proche dont vous gérez l'espace : ouvrez "
                "Carnet pour le voir.",
            },
            {
                "subject": "A reminder for a relative",
                "line": "A reminder is due for a relative whose space you manage: open Carnet "
                "to see it.",
            },
            path="/mes-proches/",
        ),
    ]
}

# The words around every email, per language.
COMMON = {
    "fr": {
        "greeting": "Bonjour,",
        "open": "Ouvrir Carnet",
        "privacy": "Pour protéger votre vie privée, ce message ne contient aucun détail sur "
        "votre santé : tout est dans Carnet, après connexion.",
        "why": "Vous recevez ce message parce que vous avez choisi d'être prévenu par email. "
        "Vous pouvez changer vos choix dans votre compte Carnet.",
        "sms": "Carnet : %(line)s %(url)s",
    },
    "en": {
        "greeting": "Hello,",
        "open": "Open Carnet",
        "privacy": "To protect your privacy, this message contains no detail about your "
        "health: everything is in Carnet, after signing in.",
        "why": "You receive this message because you chose to be told by email. You can "
        "change your choices in your Carnet account.",
        "sms": "Carnet: %(line)s %(url)s",
    },
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
    texts = ev.texts[lang]
    ctx = _context(event, params, lang, role)
    if part == "line" and "line_one" in texts and ctx.get("count") == "1":
        return texts["line_one"]
    if part == "sms":
        if "sms" in texts:
            return texts["sms"] % ctx
        return COMMON[lang]["sms"] % {"line": render_part(event, "line", params, lang), **ctx}
    return texts[part] % ctx


def render_email(event: str, params: dict, lang: str, role: str = "") -> dict:
    """Subject, plain text and HTML of an email, from the event's three-template set.

    An event may have its own set in ``notify/email/<event>/``; others use the shared one.
    """
    lang = language(lang)
    ctx = {
        "lang": lang,
        "title": render_part(event, "subject", params, lang),
        "line": render_part(event, "line", params, lang),
        "url": url_for(event, role),
        **COMMON[lang],
    }

    def pick(name: str) -> str:
        tpl = select_template([f"notify/email/{event}/{name}", f"notify/email/{name}"])
        return tpl.template.name

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
