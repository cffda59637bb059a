"""Remboursements: what a care will cost (the simulator) and what was paid (the history).

The rules (tariffs, rates, caps, exemptions) are dated data in ``rules/data/``, each figure with
its effective dates and its source; the simulator is pure functions over them.
"""
