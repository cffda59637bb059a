"""« Mes proches »: the people a user may act for now, and the accesses they lost lately.

Shared by the « Mes proches » page and the home page's card, so that both list the same
people with the same one button (« Ouvrir le dossier de Henri »: one tap to their record).
"""

from __future__ import annotations

from carnet.access import minors, proxies
from carnet.access.services import Actor
from carnet.records import dates
from carnet.records import services as records

from .views_proxy_labels import BASIS_LABELS, PERMISSION_LABELS


def live(user, *, details: bool = True) -> list[dict]:
    """One row per person ``user`` may act for now: their name, what they may do.

    ``details``: also the child's birth date and whether they may be invited to a login of
    their own (the « Mes proches » page; home needs only the name and the button)."""
    rows = []
    for info in proxies.represented_by(user):
        # A child's birth date is the day their record says, never rebuilt from an instant.
        patient = records.represented_patient(user, info) if info.basis == "parent" else {}
        rows.append(
            {
                "patient_id": info.patient_id,
                "name": records.represented_name(user, info, patient),
                "permissions": [
                    str(PERMISSION_LABELS[p]) for p in PERMISSION_LABELS if p in info.permissions
                ],
                "basis": str(BASIS_LABELS.get(info.basis, info.basis)),
                "expires_at": info.expires_at,
                "child": info.basis == "parent",
                "invite": details
                and info.basis == "parent"
                and minors.may_invite(Actor.of_user(user), info.patient_id) is not None,
                "born": dates.whole_day(patient.get("birthDate")) if details else None,
            }
        )
    return sorted(rows, key=lambda r: str(r["name"]).lower())


def ended(user) -> list[str]:
    """« Henri a mis fin à votre accès le 3 décembre 2026. », one sentence per access lost
    in the last few months (and not given again), newest first."""
    return [proxies.ended_sentence(e) for e in proxies.ended_for(user)]
