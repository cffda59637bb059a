"""Names as ``records.words`` gives them, and one small « texte d'origine » mark per item.

``{{ item.title|label }}``: a name alone, marked when it is the source's own words for a
code Carnet does not know. On a line that says a name and a value, both may be the
source's words: ``{{ title|label_text }} : {{ value|label_text }}{% source_mark title value %}``
marks the line once, never each word. ``{{ item.when|day }}``: when an item happened
(``words.When``), as much of the date as the source gave, in a ``<time>`` element.

Each comes in a ``<bdi>``: on a page written right to left (Arabic), a drug's name, a code
or a date keeps its own direction and does not drag the punctuation around it.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _mark():
    return format_html(
        ' <small class="original-words" title="{}">({})</small>',
        _("Carnet does not know this code: these are the words of the file it came from."),
        _("original wording"),
    )


@register.filter
def label(value):
    if not value:
        return value or ""
    if getattr(value, "original", False):
        return format_html("<bdi>{}</bdi>{}", str(value), _mark())
    return format_html("<bdi>{}</bdi>", str(value))


@register.filter
def label_text(value):
    """The words alone, without a mark (the line's ``source_mark`` says it once)."""
    return format_html("<bdi>{}</bdi>", str(value)) if value else ""


@register.simple_tag
def source_mark(*values):
    """One small mark for a line whose words (any of ``values``) are the source's own."""
    if any(getattr(v, "original", False) for v in values):
        return _mark()
    return ""


@register.filter
def day(value):
    """``<time datetime="1975">1975</time>``: a ``words.When`` read by people and machines."""
    if not value:
        return ""
    return format_html('<bdi><time datetime="{}">{}</time></bdi>', value.machine, str(value))
