"""Checks that a page, a PDF or a chart reads right for a person: no raw UCUM code, no
English clinical label on a French page where Carnet's display table names the code, every
SVG coordinate a number. Used by the tests that read imported records and by
``bench/display_coverage.py`` (all the shared Synthea bundles)."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from pathlib import Path

from defusedxml import ElementTree
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from carnet.records import words

# UCUM codes as the files write them, never shown to a person.
RAW_UNITS = [
    re.compile(r"\{[^{}\s]*\}"),  # {score}, {T-score}, mL/min/{1.73_m2}
    re.compile(r"\((score)\)"),
    re.compile(r"mm\[Hg\]|\[(lb_av|in_i|degF|oz_av|ft_i|iU|IU)\]"),
    re.compile(r"\bkg/m2\b|\bm2\b"),
    re.compile(r"\b10\*\d"),
    re.compile(r"\bCel\b"),
    re.compile(r"\d /min\b"),
    re.compile(r"\d (u|ug|umol)(/[A-Za-z]+)?\b"),
]
NUMERIC_ATTRIBUTES = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"}
ITEM_LINK = re.compile(r'href="(/dossier/element/[^/"]+/)"')
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def visible_text(page: str) -> str:
    """What a person reads on an HTML page (no tags, scripts, styles or attributes)."""
    page = re.sub(r"<(script|style|title)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(page))


def carnet_words(page: str) -> str:
    """The page without the imported documents' own narrative, which is shown as its
    source wrote it (capitals included): what remains are the words Carnet chose."""
    return re.sub(r'<article class="doc-narrative".*?</article>', " ", page, flags=re.S)


def pdf_text(content: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def raw_units(text: str) -> list[str]:
    return [m.group(0) for pattern in RAW_UNITS for m in pattern.finditer(text)]


def _concepts(resource: dict):
    for name in (*words.TITLE_FIELDS, "valueCodeableConcept", "clinicalStatus"):
        value = resource.get(name)
        for concept in value if isinstance(value, list) else [value]:
            if isinstance(concept, dict):
                yield concept
    for comp in resource.get("component") or []:
        for name in ("code", "valueCodeableConcept"):
            if isinstance(comp.get(name), dict):
                yield comp[name]


def english_labels(resources: list[dict]) -> set[str]:
    """The source's words for the codes of these items that Carnet's table names in French,
    when they are not French words as well (« Sodium », « COVID-19 »)."""
    french = [d.fr for d in words.table().values()]
    found = set()
    for r in resources:
        for concept in _concepts(r):
            if not words.has_display(concept):
                continue
            texts = [concept.get("text")] + [c.get("display") for c in concept.get("coding") or []]
            for text in texts:
                if not text or len(text) < 4:
                    continue
                for variant in {text, words.source_words(text)}:
                    pattern = re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)")
                    if not any(pattern.search(f) for f in french):
                        found.add(variant)
    return found


def english_found(text: str, labels: set[str]) -> list[str]:
    return sorted(label for label in labels if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text))


def svg_numbers(page: str) -> int:
    """Parses every SVG of a page as XML and reads each coordinate as a number; returns how
    many charts there were (AssertionError naming the first attribute that is not a number)."""
    charts = SVG.findall(page)
    for svg in charts:
        root = ElementTree.fromstring(svg)
        for el in root.iter():
            for name, value in el.attrib.items():
                if name in NUMERIC_ATTRIBUTES:
                    float(value)  # ValueError on « 51,6 »
                elif name == "viewBox":
                    assert len([float(v) for v in value.split()]) == 4, value
                elif name == "points":
                    for pair in value.split():
                        x, y = pair.split(",")
                        float(x), float(y)
    return len(charts)


def resources_of(path: Path) -> list[dict]:
    bundle = json.loads(path.read_text())
    return [e["resource"] for e in bundle.get("entry") or [] if "resource" in e]


def read_record(client, language: str, *, every_item: bool = False) -> dict:
    """Renders the home, every page of the timeline, the item pages (one per distinct line
    of the timeline, or every one) and the summary PDF of the signed-in person in a language.

    Returns {"pages": {url: html}, "pdf": text, "charts": number of charts seen}.
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages: dict[str, str] = {}

    def get(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        assert f'<html lang="{language}"' in body, url
        pages[url] = body
        return body

    get(reverse("home"))
    get(reverse("records:summary"))
    items: dict[str, str] = {}
    page = 1
    while True:
        body = get(f"{reverse('records:timeline')}?page={page}")
        rows = re.findall(r'<li class="tl-row">(.*?)</li>', body, re.S)
        for row in rows:
            link = ITEM_LINK.search(row)
            what = re.search(
                r'<span class="tl-what">(.*?)</span>\s*<span class="tl-meta">', row, re.S
            )
            key = (
                link.group(1) if every_item else re.sub(r"<strong>.*?</strong>", "", what.group(1))
            )
            items.setdefault(key, link.group(1))
        if 'rel="next"' not in body:
            break
        page += 1
    charts = 0
    for url in items.values():
        charts += svg_numbers(get(url))
    pdf = client.get(reverse("records:summary_pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    return {
        "pages": pages,
        "pdf": pdf_text(pdf.content),
        "charts": charts,
        "timeline_pages": page,
        "items": len(items),
    }


def problems(read: dict, labels: set[str], language: str) -> list[str]:
    """Everything wrong with a read record, as lines (empty: it reads right)."""
    out = []
    texts = {url: visible_text(body) for url, body in read["pages"].items()}
    texts["summary PDF"] = read["pdf"]
    for where, text in texts.items():
        for raw in raw_units(text):
            out.append(f"{where}: raw unit {raw!r}")
        if language == "fr":
            for label in english_found(text, labels):
                out.append(f"{where}: English label {label!r}")
    return out
