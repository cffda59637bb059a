"""Names as ``records.words`` gives them, and one small « texte d'origine » mark per item.

``{{ item.title|label }}``: a name alone, marked when it is the source's own words for a
code Carnet does not know. On a line that says a name and a value, both may be the
source's words: ``{{ title|label_text }} : {{ value|label_text }}{% source_mark title value %}``
marks the line once, never each word. ``{{ item.when|day }}``: when an item happened
(``words.When``), as much of the date as the source gave, in a ``<time>`` element.

On a page written right to left (Arabic), each comes in a ``<bdi>``: a drug's name, a code
or a date (written left to right) keeps its own direction and does not drag the punctuation
around it. Left-to-right pages need no isolation for them and keep their markup.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

register = template.Library()


def _mark():
    return format_html(
        ' <small class="original-words" title="{}">({})</small>',
        _("Carnet does not know this code: these are the words of the file it came from."),
        _("original wording"),
    )


def _isolated(html):
    """``html`` in a ``<bdi>`` on a right-to-left page; as it is on a left-to-right one."""
    return format_html("<bdi>{}</bdi>", html) if get_language_bidi() else html


@register.filter
def label(value):
    if not value:
        return value or ""
    if getattr(value, "original", False):
        return format_html("{}{}", _isolated(str(value)), _mark())
    return _isolated(str(value))


@register.filter
def label_text(value):
    """The words alone, without a mark (the line's ``source_mark`` says it once)."""
    return _isolated(str(value)) if value else ""


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
    return _isolated(format_html('<time datetime="{}">{}</time>', value.machine, str(value)))
