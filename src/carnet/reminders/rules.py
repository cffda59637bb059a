"""The rules as data: the vaccination calendar, the follow-up programmes, the code tables.

Each file under ``data/`` names its source and version, so that a reminder says where it
comes from ("calendrier vaccinal 2025") and a later calendar can replace a file without
touching the engine. Files are read once per process.
"""

from __future__ import annotations

import json
import re
from calendar import monthrange
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path

from django.utils.translation import get_language

from carnet.records import words as record_words
from carnet.records.data import fold

DATA = Path(__file__).resolve().parent / "data"
CALENDAR_FILE = "calendrier-vaccinal-2025.json"
PROGRAMMES_FILE = "suivis-2025.json"
CODES_FILE = "vaccine-codes.json"

_AGE = re.compile(r"^(\d+)([dwmy])$")


@cache
def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def calendar() -> dict:
    return load(CALENDAR_FILE)


def programmes() -> dict:
    return load(PROGRAMMES_FILE)


def codes() -> dict:
    return load(CODES_FILE)


def text(value, lang: str | None = None) -> str:
    """A label of the data files in the current language (French when missing)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    lang = (lang or get_language() or "fr").split("-")[0]
    return value.get(lang) or value.get("fr") or next(iter(value.values()), "")


@lru_cache(maxsize=256)
def parse_age(value: str) -> tuple[int, str]:
    m = _AGE.match(value or "")
    if not m:
        raise ValueError(f"bad age {value!r}: expected e.g. '2m', '11y', '6w' or '10d'")
    return int(m.group(1)), m.group(2)


def add_age(start: date, value: str) -> date:
    """``start`` plus an age such as '2m' or '65y' (month ends clamp: 31 Jan + 1m = 28 Feb)."""
    n, unit = parse_age(value)
    if unit == "d":
        return start + timedelta(days=n)
    if unit == "w":
        return start + timedelta(weeks=n)
    months = n if unit == "m" else 12 * n
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    day = min(start.day, monthrange(year, month)[1])
    return date(year, month, day)


# --- vaccine codes and names ---------------------------------------------------------------

PRODUCTS_FILE = "vaccine-products-fr.json"


@cache
def _code_tables() -> tuple[dict, list, dict]:
    data = codes()
    systems = {}
    for kind, urls in data["systems"].items():
        for url in urls:
            systems[url] = kind
    # Longest prefix first: J07AH08 is exact, J07AH99 falls back on J07AH.
    atc_prefixes = sorted(
        ((e["code"], tuple(e["antigens"])) for e in data["atc"] if e.get("prefix")),
        key=lambda p: -len(p[0]),
    )
    # A group code (J07AH, "meningococcal vaccines") is only a prefix: a product's own code
    # (CIS, CIP, CVX, a full ATC code) says more and wins over it.
    exact = {("atc", e["code"]): tuple(e["antigens"]) for e in data["atc"] if not e.get("prefix")}
    exact.update({("cvx", e["code"]): tuple(e["antigens"]) for e in data["cvx"]})
    products = load(PRODUCTS_FILE)
    for cis, entry in products["cis"].items():
        exact[("cis", cis)] = tuple(entry["antigens"])
    for cip, cis in products["cip"].items():
        if ("cis", cis) in exact:
            exact[("cip", cip)] = exact[("cis", cis)]
    return systems, atc_prefixes, exact


_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold_words(text: str) -> str:
    """Lower case, no accents, words separated by one space: 'Méningo A+C' -> 'meningo a c'."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


@cache
def _name_tables() -> tuple[list, list]:
    names = codes()["names"]

    def table(entries):
        rows = [(fold_words(w), tuple(e["antigens"])) for e in entries for w in e["words"]]
        return sorted(rows, key=lambda r: -len(r[0]))

    return table(names["brands"]), table(names["diseases"])


def antigens_from_name(text: str) -> set[str]:
    """The diseases a vaccine's name says: a brand's own (longest first), else disease words."""
    padded = f" {fold_words(text)} "
    if not padded.strip():
        return set()
    brands, diseases = _name_tables()
    for words, antigens in brands:
        if f" {words} " in padded:
            return set(antigens)
    found: set[str] = set()
    for words, antigens in diseases:
        if f" {words} " in padded:
            found.update(antigens)
    return found


def _coded_antigens(concept: dict | None) -> set[str]:
    systems, prefixes, exact = _code_tables()
    found: set[str] = set()
    group: set[str] = set()
    for coding in (concept or {}).get("coding") or []:
        if not isinstance(coding, dict):
            continue
        kind = systems.get(coding.get("system") or "")
        code = str(coding.get("code") or "").strip()
        if not kind or not code:
            continue
        if kind == "cvx" and code.isdigit() and len(code) == 1:
            code = "0" + code
        if (kind, code) in exact:
            found.update(exact[(kind, code)])
        elif kind == "atc":
            for prefix, antigens in prefixes:
                if code.startswith(prefix):
                    group.update(antigens)
                    break
    return found or group


def recognise(concept: dict | None) -> tuple[set[str], str]:
    """(antigens, how) of a vaccine ``CodeableConcept``: how is "code" (ATC, CVX, CIS, CIP),
    "name" (its text or a coding's display: a brand or the diseases it names) or ""."""
    found = _coded_antigens(concept)
    if found:
        return found, "code"
    concept = concept or {}
    texts = [concept.get("text") or ""] + [
        str(c.get("display") or "") for c in concept.get("coding") or [] if isinstance(c, dict)
    ]
    for text in texts:
        found = antigens_from_name(text)
        if found:
            return found, "name"
    return set(), ""


def antigens_of(concept: dict | None) -> set[str]:
    """The antigens of a vaccine ``CodeableConcept``, from its codes or else its name."""
    return recognise(concept)[0]


@cache
def _displays() -> dict[tuple[str, str], str]:
    data = codes()
    out = {("atc", e["code"]): e["display"] for e in data["atc"]}
    out.update({("cvx", e["code"]): e["display"] for e in data["cvx"]})
    out.update({("cis", c): e["name"] for c, e in load(PRODUCTS_FILE)["cis"].items()})
    return out


def code_display(coding: dict) -> str:
    """The name of a vaccine code Carnet's tables know (for a coding that came without one).

    The record's display table (``records.words``) names a vaccine first, in the page's
    language, so a vaccine has one name on every page; this file's own displays (its
    sources' words) name only the codes that table does not have yet."""
    systems = _code_tables()[0]
    kind = systems.get(coding.get("system") or "")
    code = str(coding.get("code") or "").strip()
    if kind == "cvx" and code.isdigit() and len(code) == 1:
        code = "0" + code
    shown = record_words.known(coding.get("system"), code) or record_words.known(
        coding.get("system"), code.lstrip("0")
    )
    if shown is not None:
        return shown.text()
    return _displays().get((kind, code), "") if kind else ""


def antigen_label(antigen: str) -> str:
    return text(codes()["antigens"].get(antigen, antigen))
