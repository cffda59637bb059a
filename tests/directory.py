"""Lines of a national directory (RPPS) extract, and their import."""

from __future__ import annotations

import io
from pathlib import Path

from carnet.care import directory

SHARED = Path(__file__).resolve().parent / "data" / "fr-reference" / "annuaire-sante"


SMALL = SHARED / "PS_LibreAcces_Personne_activite_small.txt"


HEADER = SMALL.read_bytes().split(b"\n", 1)[0].decode("utf-8").split("|")[:-1]


def extract_line(**values: str) -> str:
    """One extract row (52 columns and the trailing "|"); ``values`` keyed by our field names."""
    cells = [""] * len(HEADER)
    for key, value in values.items():
        cells[HEADER.index(directory.COLUMNS[key])] = value
    return "|".join(cells) + "|"


def rpps_line(ident: str, last: str, first: str, **more: str) -> str:
    fields = {
        "id_type": "8",
        "identifier": ident,
        "national_id": "8" + ident,
        "last_name": last,
        "first_name": first,
        "profession_code": "10",
        "profession": "Médecin",
        "mode_code": "L",
        "practice_mode": "Libéral",
    }
    fields.update(more)
    return extract_line(**fields)


def extract(lines: list[str | bytes]) -> bytes:
    head = ("|".join(HEADER) + "|").encode()
    body = [line if isinstance(line, bytes) else line.encode() for line in lines]
    return b"\n".join([head, *body]) + b"\n"


def run(data: bytes, **kwargs) -> directory.ImportReport:
    return directory.import_rpps(io.BytesIO(data), **kwargs)
