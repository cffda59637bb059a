"""Integer parameters of pages: a bounded number whatever the address says."""

from __future__ import annotations

# The same bound as the FHIR API's parameters: anything a database column holds.
MAX_INTEGER = 2**31 - 1


def bounded_int(value: str | None, default: int = 0, low: int = 0, high: int = MAX_INTEGER) -> int:
    """``value`` read as an integer within [low, high]; not a number reads as ``default``."""
    try:
        number = int(value) if value is not None else default
    except (TypeError, ValueError):
        return default
    return max(low, min(number, high))
