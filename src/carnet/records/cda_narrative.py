"""A CDA document's own words, as safe HTML: its sections, paragraphs, tables and lists.

A clinical document (DMP / Mon espace santé, C-CDA) carries, in each section's ``<text>``,
the narrative its author signed: what a person should read. ``sections`` turns it into a
few HTML tags by a whitelist, element by element:

    paragraph → p      list → ul / ol (listType="ordered")     item → li
    table, caption, thead, tbody, tfoot, tr, th, td → the same (colspan / rowspan kept
    when they are small numbers)    br → br    sub / sup → the same
    content → strong / em for styleCode Bold / Italics, else its text alone

Everything else gives its text only (``linkHtml``: the words, never the link), and
``script`` / ``style`` give nothing; no attribute of the source ever reaches the page, all
text is escaped. The result then goes through ``nh3`` (the Ammonia sanitiser) with the same
short list of tags, so that a mistake here could still not let markup through. The XML
is parsed with ``defusedxml`` (no entities, no external references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import nh3
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

NS = "{urn:hl7-org:v3}"
MAX_DEPTH = 6  # nested sections shown as headings h2…h6 at most
TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "br",
    "sub",
    "sup",
    "strong",
    "em",
    "div",
    "span",
}
ATTRIBUTES = {"th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}, "div": {"tabindex"}}
CLASSES = {"div": {"doc-table"}, "span": {"doc-media"}}
SAME = {"caption", "thead", "tbody", "tfoot", "tr", "sub", "sup"}
SILENT = {"script", "style", "footnoteRef"}


@dataclass
class Section:
    title: str
    html: str  # safe markup (see the module's docstring)
    level: int  # 2 for a top section, 3 for one inside it…
    text: str = ""  # its words, plain


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _span(value: str | None) -> str:
    """A colspan / rowspan kept only as a small number."""
    value = (value or "").strip()
    return value if value.isdigit() and 0 < int(value) <= 100 else ""


_SPACES = re.compile(r"\s+")


def _words(text: str | None) -> str:
    return escape(_SPACES.sub(" ", text), quote=False) if text else ""


def _children(el) -> str:
    out = [_words(el.text)]
    for child in el:
        out.append(_element(child))
        out.append(_words(child.tail))
    return "".join(out)


def _element(el) -> str:
    name = _local(el.tag)
    if name in SILENT:
        return ""
    inner = _children(el)
    if name == "paragraph":
        return f"<p>{inner}</p>"
    if name == "list":
        tag = "ol" if (el.get("listType") or "").lower() == "ordered" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if name == "item":
        return f"<li>{inner}</li>"
    if name == "table":
        return f'<div class="doc-table" tabindex="0"><table>{inner}</table></div>'
    if name in ("th", "td"):
        spans = "".join(f' {a}="{v}"' for a in ("colspan", "rowspan") if (v := _span(el.get(a))))
        return f"<{name}{spans}>{inner}</{name}>"
    if name in SAME:
        return f"<{name}>{inner}</{name}>"
    if name == "br":
        return "<br>"
    if name == "renderMultiMedia":
        return '<span class="doc-media">({})</span>'.format(
            escape(_("an image, in the original document"), quote=False)
        )
    if name == "content":
        styles = {s.lower() for s in (el.get("styleCode") or "").split()}
        if "bold" in styles:
            inner = f"<strong>{inner}</strong>"
        if "italics" in styles:
            inner = f"<em>{inner}</em>"
        return inner
    return inner  # linkHtml, footnote and anything unknown: the words alone


def narrative_html(text_el) -> str:
    """The safe HTML of one ``<text>`` element of a CDA section."""
    if text_el is None:
        return ""
    raw = _children(text_el).strip()
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        clean_content_tags={"script", "style"},
        link_rel=None,
        strip_comments=True,
    ).strip()


def _plain(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def sentence_case(title: str) -> str:
    """A title written in capitals (« BIOCHIMIE ») as a sentence (« Biochimie »)."""
    letters = [c for c in title if c.isalpha()]
    if len(letters) > 4 and all(c.isupper() for c in letters):
        return title[:1] + title[1:].lower()
    return title


def _walk(section, level: int, out: list[Section]) -> None:
    title = sentence_case(_plain(section.find(f"{NS}title")))
    if not title:
        code = section.find(f"{NS}code")
        title = (code.get("displayName") or "").strip() if code is not None else ""
    text_el = section.find(f"{NS}text")
    html = narrative_html(text_el)
    if title or html:
        out.append(Section(title, html, min(level, MAX_DEPTH), _plain(text_el)))
    for sub in section.findall(f"{NS}component/{NS}section"):
        _walk(sub, level + 1, out)


def parse(data: bytes):
    """The root of a CDA document, parsed safely, or None when it cannot be read."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError):
        return None
    return root if _local(root.tag) == "ClinicalDocument" else None


def sections(data: bytes) -> list[Section]:
    """Every section of a CDA document's structured body, in order, as safe HTML."""
    root = parse(data)
    return [] if root is None else sections_of(root)


def plain_text(root, limit: int = 100_000) -> str:
    """The words of every section (titles and narrative), for search and an excerpt."""
    return " ".join(f"{s.title} {s.text}".strip() for s in sections_of(root))[:limit]


def sections_of(root) -> list[Section]:
    out: list[Section] = []
    for section in root.findall(f"{NS}component/{NS}structuredBody/{NS}component/{NS}section"):
        _walk(section, 2, out)
    return out
