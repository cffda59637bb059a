"""Small template helpers shared by every page."""

from django import template

register = template.Library()

# Which menu entry a page belongs to, so the menu can mark it with aria-current.
_SECTIONS = {
    "home": "home",
    "records:import": "import",
    "records:import_job": "import",
    "records:export": "export",
}


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
    return ""
