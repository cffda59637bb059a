"""Units as a person reads them: the UCUM codes of the record ("kg/m2") in print ("kg/m²")."""

from __future__ import annotations

SHOWN = {
    "kg/m2": "kg/m²",
    "m2": "m²",
    "Cel": "°C",
    "cel": "°C",
    "[degF]": "°F",
    "mm[Hg]": "mmHg",
}


def shown(unit: str) -> str:
    """The unit as printed; unknown units are kept as the record gives them."""
    return SHOWN.get(unit, unit)
