"""Build the reference lists the entry forms offer, from the public source files.

    python -m carnet.records.data.make_reference ../shared/data/fr-reference

Run by a developer when the sources change; its output is committed, so that Carnet never
reads the source files at run time:

- ``medicines.tsv.gz``: the Base de données publique des médicaments (ANSM), file
  ``bdpm/CIS_bdpm.txt`` (Latin-1, tab-separated, CRLF in places): medicines with an active
  marketing authorisation, as ``CIS code, name, form, routes, marketed (1/0)``, sorted by name.
- ``vaccines.json``: the French vaccination value sets (ANS, IHE SVS XML, ATC codes:
  ``vaccination-jdv/JDV_VaccinCSE*``), completed by the ATC codes the reminders' vaccination
  calendar recognises (so that a vaccine entered here counts for the reminders).
- ``allergens.json``: ``vaccination-jdv/JDV_AllergiesVaccins_CISIS.xml`` (SNOMED CT and ATC),
  plus a few common allergens (SNOMED CT).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

from defusedxml import ElementTree

HERE = Path(__file__).resolve().parent
SVS = "{urn:ihe:iti:svs:2008}"
OIDS = {
    "2.16.840.1.113883.6.73": "http://www.whocc.no/atc",
    "2.16.840.1.113883.6.96": "http://snomed.info/sct",
}
# Common allergens beyond the vaccine value set (SNOMED CT substances), with French names.
COMMON_ALLERGENS = [
    ("http://snomed.info/sct", "764146007", "pénicilline"),
    ("http://snomed.info/sct", "387458008", "aspirine"),
    ("http://snomed.info/sct", "387207008", "ibuprofène"),
    ("http://snomed.info/sct", "111088007", "latex"),
    ("http://snomed.info/sct", "762952008", "arachide (cacahuète)"),
    ("http://snomed.info/sct", "3718001", "lait de vache"),
    ("http://snomed.info/sct", "256259004", "pollen"),
    ("http://snomed.info/sct", "260147004", "acariens"),
    ("http://snomed.info/sct", "288328004", "venin d'abeille"),
]


def concepts(path: Path) -> tuple[str, str, list[dict]]:
    root = ElementTree.parse(path).getroot()
    vs = root.find(f"{SVS}ValueSet")
    out = []
    for c in vs.iter(f"{SVS}Concept"):
        if c.get("dateFin"):
            continue
        out.append(
            {
                "system": OIDS.get(c.get("codeSystem"), "urn:oid:" + c.get("codeSystem")),
                "code": c.get("code"),
                "display": c.get("displayName"),
            }
        )
    return vs.get("displayName"), vs.get("id"), out


def medicines(source: Path) -> bytes:
    text = source.read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    rows = []
    for cols in csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(cols) < 7 or not cols[0].strip().isdigit():
            continue
        cis, name, form, routes, status, _proc, marketed = (c.strip() for c in cols[:7])
        if status != "Autorisation active":
            continue
        rows.append((cis, name, form, routes, "1" if marketed == "Commercialisée" else "0"))
    rows.sort(key=lambda r: (r[1].lower(), r[0]))
    body = "".join("\t".join(r) + "\n" for r in rows).encode()
    return gzip.compress(body, compresslevel=9, mtime=0)


def main(root: str) -> None:
    src = Path(root)
    (HERE / "medicines.tsv.gz").write_bytes(medicines(src / "bdpm" / "CIS_bdpm.txt"))

    jdv = src / "vaccination-jdv"
    seen: dict[str, dict] = {}
    sources = []
    for name in (
        "JDV_VaccinCSE24_CISIS.xml",
        "JDV_VaccinCSE9_CISIS.xml",
        "JDV_VaccinCSE8_CISIS.xml",
    ):
        title, oid, items = concepts(jdv / name)
        sources.append(f"{title} ({oid})")
        for c in items:
            seen.setdefault(c["code"], {**c, "source": title})
    calendar = json.loads(
        (HERE.parents[1] / "reminders" / "data" / "vaccine-codes.json").read_text()
    )
    shown = {c["display"] for c in seen.values()}
    for c in calendar["atc"]:
        if c["display"] in shown:
            continue
        shown.add(c["display"])
        seen.setdefault(
            c["code"],
            {
                "system": "http://www.whocc.no/atc",
                "code": c["code"],
                "display": c["display"],
                "source": "vaccine-codes",
            },
        )
    vaccines = sorted(seen.values(), key=lambda c: c["display"].lower())
    (HERE / "vaccines.json").write_text(
        json.dumps({"sources": sources, "concepts": vaccines}, ensure_ascii=False, indent=1) + "\n"
    )

    title, oid, items = concepts(jdv / "JDV_AllergiesVaccins_CISIS.xml")
    allergens = items + [{"system": s, "code": c, "display": d} for s, c, d in COMMON_ALLERGENS]
    allergens.sort(key=lambda c: c["display"].lower())
    (HERE / "allergens.json").write_text(
        json.dumps(
            {"sources": [f"{title} ({oid})", "SNOMED CT"], "concepts": allergens},
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/fr-reference")
