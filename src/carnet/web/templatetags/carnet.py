"""Small template helpers shared by every page."""

from django import template
from django.conf import settings
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext

register = template.Library()

# Which menu entry a page belongs to, so the menu can mark it with aria-current.
_SECTIONS = {
    "home": "home",
}


# Longest prefixes first: "coffre:pro_" before "coffre:".
_PREFIXES = (
    ("care:conversation", "messages"),
    ("care:directory", "appointments"),
    ("care:pro_home", "home"),
    ("care:pro_team", "messages"),
    ("care:pro_conversations", "messages"),
    ("care:pro_message", "messages"),
    ("care:appointment", "appointments"),
    ("care:pro_agenda", "appointments"),
    ("care:pro_hours", "appointments"),
    ("care:pro_renewal", "renewals"),
    ("care:renewal", "home"),
    ("coffre:pro_", "patients"),
    ("coffre:emergency", "emergency"),
    ("coffre:card_open", "emergency"),
    ("coffre:sharing", "sharing"),
    ("coffre:request", "sharing"),
    ("coffre:share", "sharing"),
    ("coffre:history", "history"),
    ("coffre:spaces", "relatives"),
    ("coffre:act_", "relatives"),
    ("coffre:child_add", "relatives"),
    ("records:pro_", "patients"),
    ("records:", "home"),
    ("chat:", "urgent"),
    ("helpdesk:", "help"),
    ("notify:", "account"),
)


@register.simple_tag(takes_context=True)
def nav_section(context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.view_name or ""
    if name in _SECTIONS:
        return _SECTIONS[name]
    if name.startswith(("accounts:", "account_", "mfa_")):
        return "account"
    if name.startswith("reminders:"):
        return "reminders"
    for prefix, section in _PREFIXES:
        if name.startswith(prefix):
            return section
    return ""


@register.filter(is_safe=True)
def bdi(value):
    """``{{ name|bdi }}``: a name, number, date or code isolated from the words around it.

    On a page written right to left (Arabic), « Dr Claire Garonne, 14:30 » keeps its own
    order and does not carry the punctuation next to it to the wrong side. Escapes as usual.
    """
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter(needs_autoescape=True)
def listed(values, autoescape=True):
    """``{{ kinds|listed }}``: « a, b, c » with the page's language's comma (Arabic « ، »).

    Escapes each value as ``join`` does."""
    escape = conditional_escape if autoescape else str
    separator = escape(pgettext("list separator", ", "))
    return mark_safe(separator.join(escape(v) for v in values))  # noqa: S308 - escaped above


@register.simple_tag
def languages():
    """The languages of settings.LANGUAGES, each named in its own script (never translated)."""
    return settings.LANGUAGES


# A day named with its weekday, in each language's order and words (Django's locale formats
# have none): « vendredi 5 mars », « viernes 5 de marzo », « 5 Mart Cuma ».
_WEEKDAY = {
    "fr": ("l j F", " Y", ", H:i"),
    "en": ("l j F", " Y", ", H:i"),
    "es": (r"l j \d\e F", r" \d\e Y", ", H:i"),
    "pt": (r"l, j \d\e F", r" \d\e Y", ", H:i"),
    "ar": ("l j F", " Y", "، H:i"),
    "tr": ("j F", " Y", " l, H:i"),
}


def weekday_format(parts: str = "", language: str | None = None) -> str:
    """The date pattern of ``weekday_date`` ("", "year", "time" or "year time")."""
    code = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    day, year, time = _WEEKDAY.get(code, _WEEKDAY[settings.LANGUAGE_CODE])
    words = parts.split()
    pattern = day + (year if "year" in words else "")
    if code == "tr" and "time" not in words:
        return pattern + " l"
    return pattern + (time if "time" in words else "")


@register.filter(expects_localtime=True)
def weekday_date(value, parts: str = ""):
    """``{{ a.start|weekday_date:"year time" }}``: « vendredi 5 mars 2021, 14:30 »."""
    if not value:
        return ""
    return date_format(value, weekday_format(parts))
