"""Each release that used a person's data is listed in their access history, no researcher named."""

from __future__ import annotations

from collections.abc import Iterable

from carnet.access import services as access
from carnet.access.services import Action, Actor, Permit, Purpose
from carnet.vault.research_keys import pseudonyms_of

from .models import PURPOSES, Contribution

LABELS = {
    "research": "Anonymous figures for public health research",
    "watch": "Anonymous figures of the epidemic watch",
}


def note_release(pseudonyms: Iterable[str], purpose: str) -> int:
    """One entry per person counted: « your data counted in an anonymous figure ».

    The copy keeps no link from a pseudonym to a person: the pseudonyms of the people who
    contribute to ``purpose`` now are recomputed (one HMAC each) and matched."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    released = set(pseudonyms)
    if not released:
        return 0
    # Nobody is named: the entry says « anonymous figures », never which researcher asked.
    role = "researcher" if purpose == "research" else "operator"
    actor = Actor(user_id=None, role=role, label=LABELS[purpose])
    ids = Contribution.objects.filter(**{purpose: True}).values_list("patient_id", flat=True)
    n = 0
    for pid, pseudonym in sorted(pseudonyms_of(list(ids)).items()):
        if pseudonym in released:
            decision = Permit(
                True, "the person's consent", patient_id=pid, purpose=Purpose.RESEARCH
            )
            access.record(
                actor,
                pid,
                Action.READ,
                Purpose.RESEARCH,
                decision,
                what="counted in an anonymous figure",
            )
            n += 1
    return n
