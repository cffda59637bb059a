"""``{{ item.title|label }}``: a name as ``records.words`` gives it, with a small « texte
d'origine » mark when it is the source's own words for a code Carnet does not know."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def label(value):
    if not value:
        return value or ""
    if getattr(value, "original", False):
        return format_html(
            '{} <small class="original-words" title="{}">({})</small>',
            str(value),
            _("Carnet does not know this code: these are the words of the file it came from."),
            _("original wording"),
        )
    return str(value)
