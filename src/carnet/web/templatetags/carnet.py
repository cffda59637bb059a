"""Small template helpers shared by every page."""

from django import template

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
