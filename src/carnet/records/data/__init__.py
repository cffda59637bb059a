"""Reference lists for the entry forms: medicines (BDPM), vaccines and allergens (ANS value sets).

Built from the public sources by ``make_reference`` and shipped with Carnet; loaded once per
process on first use. Search ignores accents and case.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Code CIS of the Base de données publique des médicaments (ANSM).
CIS_SYSTEM = "urn:oid:1.2.250.1.213.2.3.1"
ATC_SYSTEM = "http://www.whocc.no/atc"


def fold(text: str) -> str:
    """Lower case without accents: 'Éphédrine' -> 'ephedrine'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Medicine:
    cis: str
    name: str
    form: str
    routes: str
    marketed: bool


@cache
def _medicines() -> tuple[tuple[Medicine, ...], tuple[str, ...], dict[str, Medicine]]:
    body = gzip.decompress((HERE / "medicines.tsv.gz").read_bytes()).decode()
    meds = []
    for line in body.splitlines():
        cis, name, form, routes, marketed = line.split("\t")
        meds.append(Medicine(cis, name, form, routes, marketed == "1"))
    return tuple(meds), tuple(fold(m.name) for m in meds), {m.cis: m for m in meds}


def search_medicines(query: str, limit: int = 20) -> list[Medicine]:
    """Medicines whose name holds every word of ``query``; names starting with it first."""
    words = fold(query).split()
    if not words or len("".join(words)) < 2:
        return []
    meds, folded, _ = _medicines()
    first, other = [], []
    for med, name in zip(meds, folded, strict=True):
        if all(w in name for w in words):
            (first if name.startswith(words[0]) else other).append(med)
            if len(first) >= limit:
                break
    # Marketed medicines before the others, each group in name order.
    found = first + other
    found.sort(key=lambda m: not m.marketed)
    return found[:limit]


def medicine(cis: str) -> Medicine | None:
    return _medicines()[2].get(cis or "")


@dataclass(frozen=True)
class Concept:
    system: str
    code: str
    display: str

    @property
    def key(self) -> str:
        return self.code

    def coding(self) -> dict:
        return {"system": self.system, "code": self.code, "display": self.display}


@cache
def _concepts(name: str) -> tuple[Concept, ...]:
    data = json.loads((HERE / f"{name}.json").read_text())
    return tuple(Concept(c["system"], c["code"], c["display"]) for c in data["concepts"])


def vaccines() -> tuple[Concept, ...]:
    return _concepts("vaccines")


def allergens() -> tuple[Concept, ...]:
    return _concepts("allergens")


def find(concepts: tuple[Concept, ...], code: str) -> Concept | None:
    return next((c for c in concepts if c.code == code), None)
