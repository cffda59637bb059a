"""Units as a person reads them: the UCUM codes of the record ("kg/m2") in print ("kg/m²").

Kept for the callers that know it; the words live in ``words.unit`` (``data/units.tsv``).
"""

from __future__ import annotations

from .words import unit as words_unit


def shown(unit: str, value=None, context: str | None = None) -> str:
    """The unit as printed in the page's language; unknown units are kept as the record gives them."""
    return words_unit(unit, value, context)
