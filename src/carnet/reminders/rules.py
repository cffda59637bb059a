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


# --- vaccine codes ---------------------------------------------------------------------------


@cache
def _code_tables() -> tuple[dict, list, dict]:
    data = codes()
    systems = {}
    for kind, urls in data["systems"].items():
        for url in urls:
            systems[url] = kind
    atc_prefixes = [(e["code"], tuple(e["antigens"])) for e in data["atc"] if e.get("prefix")]
    exact = {("atc", e["code"]): tuple(e["antigens"]) for e in data["atc"]}
    exact.update({("cvx", e["code"]): tuple(e["antigens"]) for e in data["cvx"]})
    return systems, atc_prefixes, exact


def antigens_of(concept: dict | None) -> set[str]:
    """The antigens of a vaccine ``CodeableConcept``, from its ATC or CVX codings."""
    systems, prefixes, exact = _code_tables()
    found: set[str] = set()
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
                    found.update(antigens)
    return found


def antigen_label(antigen: str) -> str:
    return text(codes()["antigens"].get(antigen, antigen))
