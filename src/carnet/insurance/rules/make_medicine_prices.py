"""Build ``data/medicine_prices.tsv.gz`` from the public medicine database (BDPM, ANSM).

    python -m carnet.insurance.rules.make_medicine_prices ../shared/data/fr-reference/bdpm

Reads ``CIS_CIP_bdpm.txt`` (packs: CIP13 code, reimbursement rate, price with the dispensing
fee) and ``CIS_bdpm.txt`` (the medicine's name), Latin-1, tab-separated, decimal commas, rates
written ``65%`` or ``65 %``. Writes one line per pack: ``cip13, rate (empty if not
reimbursed), price in euros (empty if none), name``. Run by a developer when the database
changes; the output is committed (a test checks it against the copy in tests/data).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _rows(path: Path):
    text = path.read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    return csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)


def _number(text: str) -> str:
    text = text.strip().replace(" ", "")
    if not text:
        return ""
    # "1 234,56", "1.234,56" or "1,234,56" (seen in the file) -> "1234.56"
    whole, _sep, cents = text.replace(".", ",").rpartition(",")
    return f"{whole.replace(',', '')}.{cents}" if whole else cents


def build(cis_cip: bytes | str, cis: Path | None = None) -> bytes:
    names: dict[str, str] = {}
    if cis is not None:
        for cols in _rows(cis):
            if len(cols) >= 2 and cols[0].strip().isdigit():
                names[cols[0].strip()] = cols[1].strip()
    lines = []
    for cols in _rows(Path(cis_cip)):
        if len(cols) < 11 or not cols[6].strip().isdigit():
            continue
        cis_code, label, cip13 = cols[0].strip(), cols[2].strip(), cols[6].strip()
        rate = cols[8].replace("%", "").strip()
        price = _number(cols[10])
        name = names.get(cis_code, "")
        full = f"{name} — {label}" if name else label
        lines.append((cip13, rate, price, full.replace("\t", " ")))
    lines.sort()
    body = "".join("\t".join(r) + "\n" for r in lines).encode()
    return gzip.compress(body, compresslevel=9, mtime=0)


def main(source: str) -> None:
    src = Path(source)
    out = build(src / "CIS_CIP_bdpm.txt", src / "CIS_bdpm.txt")
    (HERE / "data" / "medicine_prices.tsv.gz").write_bytes(out)
    print(f"wrote {len(out)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/fr-reference/bdpm")
