"""Each release that used a person's data is listed in their access history, no researcher named."""

from __future__ import annotations

from collections.abc import Iterable

from carnet.access import services as access
from carnet.access.services import Action, Actor, Permit, Purpose

from .models import Contribution

LABELS = {
    "research": "Anonymous figures for public health research",
    "watch": "Anonymous figures of the epidemic watch",
}


def note_release(pseudonyms: Iterable[str], purpose: str) -> int:
    """One entry per person counted: « your data counted in an anonymous figure »."""
    pseudonyms = list(pseudonyms)
    if not pseudonyms:
        return 0
    # Nobody is named: the entry says « anonymous figures », never which researcher asked.
    role = "researcher" if purpose == "research" else "operator"
    actor = Actor(user_id=None, role=role, label=LABELS[purpose])
    n = 0
    for i in range(0, len(pseudonyms), 1000):
        for pid in Contribution.objects.filter(pseudonym__in=pseudonyms[i : i + 1000]).values_list(
            "patient_id", flat=True
        ):
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
