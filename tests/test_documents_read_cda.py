"""A person reads a clinical document they imported (DMP / Mon espace santé, C-CDA).

The list of documents names it for what it is (« Document CDA », its size in plain
words, « 53 ko ») and its page shows the document's own words: every section's title
and narrative (paragraphs, tables, lists) as safe HTML, with the original one click away.
Markup hidden in a narrative (scripts, javascript: links, on* attributes) never reaches
the page.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement

import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import cda_narrative, document_files, importers, services

from . import helpers
from .helpers import DATA

NS = "{urn:hl7-org:v3}"
FRENCH = sorted((DATA / "cda" / "fr").glob("*.xml"))
CCDA = DATA / "cda" / "hl7-ccda" / "Documents"
SAMPLES = [
    *FRENCH,
    CCDA / "CCD" / "CCD 1" / "CCD.XML",
    CCDA / "Consultation Note" / "Consultation_Note.xml",
    CCDA / "Diagnostic Imaging Report" / "Diagnostic_Imaging_Report.xml",
]
VAC = DATA / "cda" / "fr" / "VAC_2023.01.xml"


@pytest.fixture
def person(client):
    user = helpers.citizen("alice@example.org")
    accounts.patient_of(user) or accounts.ensure_own_patient(user)
    client.force_login(user)
    return user


def _import(user, data: bytes, name: str) -> str:
    pid = accounts.patient_of(user).pk
    result = importers.import_file(Actor.of_user(user), pid, data, name, Purpose.SELF)
    assert result.document_id
    return result.document_id


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_text(page: str) -> str:
    """The words a person reads on a page (tags removed, entities decoded)."""
    body = page.split("<main", 1)[-1]
    return _words(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _sections(path: Path) -> list[tuple[str, str]]:
    """(title, first words of its narrative) of every section of a CDA, read on its own."""
    root = ET.parse(path).getroot()
    out = []
    for section in root.iter(f"{NS}section"):
        title = (
            _words("".join(section.find(f"{NS}title").itertext()))
            if section.find(f"{NS}title") is not None
            else ""
        )
        text = section.find(f"{NS}text")
        words = _words(" ".join(text.itertext())) if text is not None else ""
        out.append((title, words))
    return out


def _size_fr(size: int) -> str:
    """« 53 ko », « 1,4 Mo »: kibibytes rounded, in the words French readers use."""
    if size < 1024:
        return f"{size} octets"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} ko"
    return f"{round(size / 1024 / 1024, 1)} Mo".replace(".", ",")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_each_document_shows_its_own_words(client, person, path):
    doc_id = _import(person, path.read_bytes(), path.name)
    listing = client.get(reverse("records:documents")).content.decode()
    assert f"Document CDA, {_size_fr(path.stat().st_size)}" in listing
    badge = '<span class="doc-thumb doc-icon" aria-hidden="true">CDA</span>'
    picture = f'src="{reverse("records:document_preview", args=[doc_id])}"'
    assert badge in listing or picture in listing  # the first page of a PDF it carries
    assert "Photo" not in listing and "Kio" not in listing
    item_url = reverse("records:item", args=[doc_id])
    assert item_url in listing

    response = client.get(item_url)
    assert response.status_code == 200
    page = response.content.decode()
    text = _page_text(page).casefold()
    sections = _sections(path)
    for title, _narrative in sections:
        assert title.casefold() in text, title
    narratives = [w for _t, w in sections if w]
    for words in narratives[:3]:  # some known text of each: the start of its narratives
        assert words[:60].casefold() in text, words[:60]
    if not sections:  # a scanned document inside the CDA: said, and its PDF one click away
        assert "aucun texte" in text
        assert reverse("records:document_file", args=[doc_id, 1]) in page
        pdf = client.get(reverse("records:document_file", args=[doc_id, 1]))
        assert pdf.content.startswith(b"%PDF")
        assert f"PDF, 2 pages, {_size_fr(len(pdf.content))}" in _page_text(page)
        # The scanned first page, as a picture on the page and on the list.
        preview = reverse("records:document_preview", args=[doc_id])
        assert f'src="{preview}"' in page and f'src="{preview}"' in listing
        assert client.get(preview).content.startswith(b"\xff\xd8\xff")
    original = client.get(reverse("records:document_download", args=[doc_id]))
    assert original.content == path.read_bytes()
    assert original["Content-Disposition"].endswith('.xml"')


def test_the_vaccination_history_reads_as_such(client, person):
    doc_id = _import(person, VAC.read_bytes(), VAC.name)
    page = client.get(reverse("records:item", args=[doc_id])).content.decode()
    assert "<table>" in page and "<th>Vaccin</th>" in page
    assert "<td>Dr Charles MULLER</td>" in page
    assert "Historique de vaccinations" in _page_text(page)
    assert "Document CDA, 53 ko" in _page_text(page)  # 54 167 bytes
    assert VAC.stat().st_size == 54167


def test_sizes_are_in_plain_words_in_each_language():
    with translation.override("fr"):
        assert document_files.size_words(54167) == "53 ko"
        assert document_files.size_words(1_500_000) == "1,4 Mo"
        assert document_files.size_words(900) == "900 octets"
    with translation.override("en"):
        assert document_files.size_words(54167) == "53 kB"
        assert document_files.size_words(1_500_000) == "1.4 MB"


def test_the_page_is_read_through_access(client, person):
    doc_id = _import(person, VAC.read_bytes(), VAC.name)
    pid = accounts.patient_of(person).pk
    before = AuditEntry.objects.filter(patient_id=pid, action="read").count()
    client.get(reverse("records:item", args=[doc_id]))
    assert AuditEntry.objects.filter(patient_id=pid, action="read").count() > before
    bob = accounts.create_user("bob@example.org", "correct horse battery")
    client.force_login(bob)
    assert client.get(reverse("records:item", args=[doc_id])).status_code == 404
    assert client.get(reverse("records:document_file", args=[doc_id, 0])).status_code == 404


HOSTILE = (
    '<paragraph onclick="alert(1)" style="position:fixed">Texte <content styleCode="Bold" '
    'onmouseover="alert(2)">gras</content> <linkHtml href="javascript:alert(3)">lien piégé'
    "</linkHtml></paragraph>"
    "<script>alert(4)</script>"
    '<renderMultiMedia referencedObject="x"/>'
    '<xhtml:img xmlns:xhtml="http://www.w3.org/1999/xhtml" src="x" onerror="alert(5)"/>'
    '<xhtml:iframe xmlns:xhtml="http://www.w3.org/1999/xhtml" src="javascript:alert(6)"/>'
    '<table onload="alert(7)"><tbody><tr><td colspan="2&quot; onclick=&quot;alert(8)">'
    "case</td><td rowspan='3'>autre</td></tr></tbody></table>"
    '<list listType="ordered"><item><caption>Titre</caption>un</item></list>'
)


def test_hostile_markup_in_a_narrative_never_reaches_the_page(client, person):
    data = VAC.read_text(encoding="utf-8")
    at = data.index("<text>") + len("<text>")
    data = data[:at] + HOSTILE + data[at:]
    doc_id = _import(person, data.encode(), "piege.xml")
    page = client.get(reverse("records:item", args=[doc_id])).content.decode()
    narrative = page.split('class="doc-narrative"', 1)[1].split("</article>", 1)[0]
    for bad in (
        "alert(",
        "javascript:",
        "onclick",
        "onmouseover",
        "onerror",
        "onload",
        "<script",
        "<img",
        "<iframe",
        "style=",
        "href=",
    ):
        assert bad not in narrative, bad
    text = _page_text(narrative)
    assert "Texte gras lien piégé" in text  # the words stay, the markup goes
    assert "<strong>gras</strong>" in narrative
    assert "<ol><li><caption>" not in narrative and "Titre" in text
    assert '<td rowspan="3">autre</td>' in narrative and "<td>case</td>" in narrative


def test_in_english_the_same_document_reads_in_english_words(client, person):
    doc_id = _import(person, VAC.read_bytes(), VAC.name)
    client.cookies["django_language"] = "en"
    listing = _page_text(client.get(reverse("records:documents")).content.decode())
    assert "CDA document, 53 kB" in listing and "Vaccination history" in listing
    page = _page_text(client.get(reverse("records:item", args=[doc_id])).content.decode())
    assert "Download the original (CDA document, 53 kB)" in page
    assert "Historique des vaccinations" in page  # the document's own words stay its own


def test_a_word_of_the_narrative_finds_the_document(person):
    doc_id = _import(person, VAC.read_bytes(), VAC.name)
    pid = accounts.patient_of(person).pk
    found = services.search_text(Actor.of_user(person), pid, Purpose.SELF, "solupred")
    assert [r["id"] for r in found.resources] == [doc_id]  # only in a table of the narrative


def test_a_pdf_the_person_added_keeps_the_type_they_chose(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .files import pdf_with_text

    pdf = pdf_with_text()
    client.post(
        reverse("records:documents"),
        {
            "doc_type": "result",
            "day": "2025-03-14",
            "file": SimpleUploadedFile("r.pdf", pdf, content_type="application/pdf"),
        },
    )
    listing = _page_text(client.get(reverse("records:documents")).content.decode())
    assert "Résultats d’analyses · 14 mars 2025" in listing  # not the CDA word for its code
    assert f"PDF, 1 page, {_size_fr(len(pdf))}" in listing
    client.cookies["django_language"] = "en"
    listing = _page_text(client.get(reverse("records:documents")).content.decode())
    assert "Test results · 14 March 2025" in listing


# --- Whatever a narrative holds, only the few tags of the whitelist reach the page ---------

NAMES = [
    "paragraph", "content", "list", "item", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "br", "sub", "sup", "linkHtml", "footnote", "renderMultiMedia",
    "script", "style", "img", "iframe", "a", "svg", "object", "form", "input", "meta",
]  # fmt: skip
ATTRS = ["onclick", "onerror", "href", "src", "style", "styleCode", "colspan", "rowspan",
         "listType", "ID", "class", "formaction", "xlink:href"]  # fmt: skip
VALUES = st.sampled_from(
    ["javascript:alert(1)", '"><script>alert(2)</script>', "2", "Bold Italics", "ordered",
     "expression(alert(3))", "data:text/html,<script>", "0", "999"]
)  # fmt: skip
TEXT = st.text(alphabet="ab <>&\"'é:()", max_size=12)


@st.composite
def narratives(draw, depth=0):
    name = draw(st.sampled_from(NAMES))
    ns = "{urn:hl7-org:v3}" if draw(st.booleans()) else "{http://www.w3.org/1999/xhtml}"
    el = Element(ns + name)
    for attr in draw(st.lists(st.sampled_from(ATTRS), max_size=3, unique=True)):
        el.set(attr.replace("xlink:", ""), draw(VALUES))
    el.text = draw(TEXT)
    if depth < 3:
        for child in draw(st.lists(narratives(depth=depth + 1), max_size=3)):
            el.append(child)
            child.tail = draw(TEXT)
    return el


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]


@hypothesis_settings(max_examples=150, derandomize=True, deadline=None, database=None)
@given(st.lists(narratives(), min_size=1, max_size=4))
def test_any_narrative_gives_only_whitelisted_markup(children):
    text = Element("{urn:hl7-org:v3}text")
    for child in children:
        text.append(child)
    SubElement(text, "{urn:hl7-org:v3}paragraph").text = "fin"
    out = cda_narrative.narrative_html(text)
    markup = _Markup()
    markup.feed(out)
    assert markup.tags <= cda_narrative.TAGS
    for tag, name, value in markup.attrs:
        assert name in cda_narrative.ATTRIBUTES.get(tag, set()) | {"class"}, (tag, name)
        if name == "class":
            assert value in cda_narrative.CLASSES.get(tag, set()), (tag, value)
        else:
            assert value.isdigit(), (tag, name, value)
    assert "<script" not in out and "javascript:" not in out and "alert(" not in out
