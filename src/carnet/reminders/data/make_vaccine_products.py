"""Build ``vaccine-products-fr.json``: French vaccines by CIS and CIP code, with their diseases.

    python -m carnet.reminders.data.make_vaccine_products ../shared/data/fr-reference/bdpm

Run by a developer when the medicines database changes; its output is committed, so that
Carnet never reads the source at run time. Source: ANSM, Base de données publique des
médicaments, files ``CIS_bdpm.txt`` (CIS code and name) and ``CIS_CIP_bdpm.txt`` (the
packs' CIP7 and CIP13 codes), Latin-1, tab-separated. A medicine is kept when its name
gives diseases through ``vaccine-codes.json``'s names (a brand such as REVAXIS, or the
diseases its name lists: « Vaccin diphtérique, tétanique… »); homeopathy (CH/DH
dilutions) and intravesical BCG (a bladder treatment) are left out.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from carnet.reminders import rules

HERE = Path(__file__).resolve().parent


def _rows(path: Path):
    text = path.read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    return csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)


def build(bdpm: Path) -> dict:
    cis = {}
    for cols in _rows(bdpm / "CIS_bdpm.txt"):
        if len(cols) < 2 or not cols[0].strip().isdigit():
            continue
        code, name = cols[0].strip(), cols[1].strip()
        folded = rules.fold_words(name)
        if " ch " in f" {folded} " or "intravesical" in folded:
            continue  # homeopathy; BCG for the bladder, a treatment and not a vaccine
        antigens = rules.antigens_from_name(name)
        if antigens and ("vaccin" in folded or "bcg" in folded.split()):
            cis[code] = {"name": name, "antigens": sorted(antigens)}
    cip = {}
    for cols in _rows(bdpm / "CIS_CIP_bdpm.txt"):
        if len(cols) < 7 or cols[0].strip() not in cis:
            continue
        for code in (cols[1].strip(), cols[6].strip()):
            if code.isdigit():
                cip[code] = cols[0].strip()
    return {
        "id": "vaccine-products-fr",
        "source": "ANSM, Base de données publique des médicaments (CIS_bdpm.txt, CIS_CIP_bdpm.txt)",
        "notes": "Made by make_vaccine_products.py from the names, through vaccine-codes.json.",
        "cis": dict(sorted(cis.items())),
        "cip": dict(sorted(cip.items())),
    }


def main(root: str) -> None:
    out = build(Path(root))
    (HERE / rules.PRODUCTS_FILE).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(out['cis'])} vaccines, {len(out['cip'])} CIP codes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/fr-reference/bdpm")
