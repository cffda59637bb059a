"""Full-text search of a record without storing its words in clear.

Each word of an item's human-readable text (names of things, notes, comments, values
written as text, practitioners' names) is normalised (accents and case removed), then
every prefix of 3 characters or more is turned into a blind token: an HMAC under the
patient's index key (``vault.Cipher.blind_index``), stored as a ``SearchToken`` with
param ``word``. A query is normalised the same way; each of its words must match one
token of the item, so "hémo" finds "Hémoglobine" and "HEMOGLOBINE". The database holds
only HMACs: without the patient's key, a token says nothing, and crypto-shredding the key
makes the whole index meaningless.

Practitioners an item names (performer, requester, recorder, asserter, participants and
those of its encounter) are indexed the same way with param ``who`` (the HMAC of
``Practitioner/<id>``), so that the timeline can be filtered by practitioner in SQL.

This module is pure (no database, no keys): ``records.store`` writes and queries the
tokens, ``records.services`` asks ``access`` first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

WORD = "word"
WHO = "who"
MIN_PREFIX = 3
# Prefixes are indexed up to this length (longer query words are cut to it).
MAX_PREFIX = 12
# Bounds the index of one item (a long document text): the first words count.
MAX_WORDS = 3000

# Keys whose string values are human-readable text about the item.
TEXT_KEYS = frozenset(
    {
        "text",  # CodeableConcept.text, Annotation.text (Narrative.text is a dict: skipped)
        "display",
        "valueString",
        "description",
        "conclusion",
        "title",
        "comment",
        "patientInstruction",
        "authorString",
        "deviceName",
        "name",
    }
)
# Sub-trees that never describe the item: who the item is about (the person's own name
# would be in every item), identifiers, technical metadata, billing details, broad
# categories ("laboratory" on every result), and links to other items (a report's list of
# results, a visit, a reason), whose words are those items' own.
SKIP_KEYS = frozenset(
    {
        "subject",
        "category",
        "result",
        "encounter",
        "context",
        "basedOn",
        "partOf",
        "hasMember",
        "derivedFrom",
        "reasonReference",
        "addresses",
        "serviceProvider",
        "location",
        "organization",
        "managingOrganization",
        "patient",
        "beneficiary",
        "identifier",
        "meta",
        "contained",
        "insurance",
        "payment",
        "total",
        "adjudication",
        "benefitBalance",
        "payee",
        "priority",
        "class",
    }
)
# Items whose words are not searched: identity, the technical trail, and billing (a
# claim repeats the words of its visit; indexing them would triple the index for nothing).
UNINDEXED_TYPES = frozenset(
    {"Patient", "Provenance", "AuditEvent", "Binary", "Claim", "ExplanationOfBenefit", "Coverage"}
)

# Who took part: references to practitioners in these fields.
WHO_KEYS = (
    "performer",
    "requester",
    "recorder",
    "asserter",
    "author",
    "participant",
    "resultsInterpreter",
    "authenticator",
    "generalPractitioner",
    "careProvider",
    "provider",
    "prescriber",
)
WHO_TYPES = ("Practitioner/", "PractitionerRole/")

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case, no accents, no ligatures: "Œdème Aigu" -> "oedeme aigu"."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def words(text: str) -> list[str]:
    """The normalised words of a text, in order (letters and digits)."""
    return _WORD_RE.findall(normalize(text))


def _strings(node, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in SKIP_KEYS:
                continue
            if isinstance(v, str):
                if k in TEXT_KEYS:
                    yield v
            elif isinstance(v, dict | list):
                yield from _strings(v, k)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str):
                if key in TEXT_KEYS:
                    yield item
            else:
                yield from _strings(item, key)


def words_of(resource: dict) -> list[str]:
    """The distinct normalised words of an item's readable text (at most MAX_WORDS)."""
    if resource.get("resourceType") in UNINDEXED_TYPES:
        return []
    seen: dict[str, None] = {}
    for s in _strings(resource):
        for w in words(s):
            if w not in seen:
                seen[w] = None
                if len(seen) >= MAX_WORDS:
                    return list(seen)
    return list(seen)


def words_of_name(resource: dict) -> list[str]:
    """The words of a practitioner's name (prefix, given and family names, or its text)."""
    out: list[str] = []
    for name in resource.get("name") or []:
        if not isinstance(name, dict):
            continue
        parts = [name.get("text") or "", name.get("family") or "", *(name.get("given") or [])]
        for part in parts:
            if isinstance(part, str):
                out += [w for w in words(part) if w not in out]
    return out


def index_terms(word_list: Iterable[str]) -> set[str]:
    """What to blind-index for these words: every prefix of 3 to MAX_PREFIX characters
    (a word of 3 to 12 letters is its own longest prefix), and two-letter words whole."""
    out: set[str] = set()
    for w in word_list:
        n = len(w)
        if n == 2:
            out.add(w)
        for i in range(MIN_PREFIX, min(n, MAX_PREFIX) + 1):
            out.add(w[:i])
    return out


def query_terms(query: str) -> list[str]:
    """The terms a query looks up, one per query word (all must match).

    A query word longer than MAX_PREFIX looks up its first MAX_PREFIX characters.
    """
    out: list[str] = []
    for w in words(query):
        w = w[:MAX_PREFIX]
        if len(w) < 2 or w in out:
            continue
        out.append(w)
    return out[:12]


def who_refs(resource: dict) -> set[str]:
    """``Practitioner/<id>`` references of the people who took part in an item."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and ref.startswith(WHO_TYPES):
                found.add(ref)
            for v in node.values():
                if isinstance(v, dict | list):
                    walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for key in WHO_KEYS:
        if key in resource:
            walk(resource[key])
    return found


def encounter_ref(resource: dict) -> str | None:
    """The encounter an item belongs to, if any (``Encounter/<id>``)."""
    for key in ("encounter", "context"):
        node = resource.get(key)
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and ref.startswith("Encounter/"):
                return ref
    return None
