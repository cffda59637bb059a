"""The reimbursement rules as dated data: load them, and pick the ones in force on a day.

``data/amo-fr.json`` holds every tariff, rate, cap and exemption as a list of periods (value,
``from``, ``until``, ``source``). ``rules_on(day)`` returns the figures in force that day; a
day before the rules begin, or a parameter with no period covering the day, is an error that
says so. Changing a figure is a data change: end a period with ``until`` and add one.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
RULES_FILE = DATA / "amo-fr.json"


class NoRule(ValueError):
    """No rule in force for that day."""


@dataclass(frozen=True)
class Rule:
    name: str
    value: Any
    start: dt.date
    until: dt.date | None
    source: str
    says: str
    dated: bool = True  # False: the source gives no start date; ``start`` is Carnet's own

    @property
    def amount(self) -> Decimal:
        return Decimal(str(self.value))

    def cite(self) -> dict:
        return {
            "rule": self.name,
            "from": self.start.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "source": self.source,
            "dated": self.dated,
        }


@dataclass(frozen=True)
class RuleBook:
    periods: dict[str, tuple[Rule, ...]]

    @property
    def begins(self) -> dt.date:
        """The first day on which every parameter has a figure."""
        return max(min(r.start for r in rules) for rules in self.periods.values())

    def on(self, day: dt.date) -> RulesOn:
        if day < self.begins:
            raise NoRule(f"Carnet's rules begin on {self.begins.isoformat()}")
        return RulesOn(self, day)


@dataclass(frozen=True)
class RulesOn:
    book: RuleBook
    day: dt.date

    def __getitem__(self, name: str) -> Rule:
        for rule in self.book.periods.get(name, ()):
            if rule.start <= self.day and (rule.until is None or self.day <= rule.until):
                return rule
        raise NoRule(f"no rule '{name}' in force on {self.day.isoformat()}")


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load(path: Path = RULES_FILE) -> RuleBook:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    periods: dict[str, tuple[Rule, ...]] = {}
    for name, items in doc["parameters"].items():
        rules = []
        for item in items:
            start = _date(item["from"])
            if start is None or not item.get("source"):
                raise ValueError(f"rule {name}: every period needs 'from' and 'source'")
            rules.append(
                Rule(
                    name,
                    item["value"],
                    start,
                    _date(item.get("until")),
                    item["source"],
                    item["says"],
                    bool(item.get("dated", True)),
                )
            )
        periods[name] = tuple(sorted(rules, key=lambda r: r.start))
    return RuleBook(periods)


@cache
def book() -> RuleBook:
    return load()


def rules_on(day: dt.date) -> RulesOn:
    return book().on(day)


@dataclass(frozen=True)
class Pack:
    cip13: str
    rate: int | None  # None: not reimbursed
    price: Decimal | None
    name: str


@cache
def _packs() -> dict[str, Pack]:
    body = gzip.decompress((DATA / "medicine_prices.tsv.gz").read_bytes()).decode()
    packs = {}
    for line in body.splitlines():
        cip13, rate, price, name = line.split("\t")
        packs[cip13] = Pack(
            cip13, int(rate) if rate else None, Decimal(price) if price else None, name
        )
    return packs


def pack(cip13: str) -> Pack | None:
    """The pack with that CIP13 code in the public medicine database, or None."""
    return _packs().get(cip13.strip())
