"""Who can see a record now, so that every sentence Carnet prints about it is true.

``of_record(actor, patient_id)`` reads the real state: the médecin traitant and the other
health professionals with a live grant (the care team), the relatives and legal
representatives who may act for the person (live proxies), and whether a health
professional could open the emergency information (unless the person refused it in
advance). Only the person, or someone who manages their record, may ask (NotFound
otherwise), as for the sharing page. Nothing here is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import grants, proxies
from .models import EmergencySettings
from .services import Actor


@dataclass(frozen=True)
class Audience:
    referent: str = ""  # the médecin traitant's name, when there is one
    care: list[str] = field(default_factory=list)  # other professionals with a live grant
    relatives: list[str] = field(default_factory=list)  # people who may act for the person
    emergency: bool = True  # a professional may open the emergency information

    @property
    def only_you(self) -> bool:
        return not (self.referent or self.care or self.relatives)

    @property
    def lines(self) -> list[str]:
        """One plain sentence per kind of reader, for a list under "who can see it now"."""
        out = []
        if self.referent:
            out.append(_("%(name)s, your médecin traitant.") % {"name": self.referent})
        if self.care:
            out.append(
                _("Health professionals you share with: %(names)s.")
                % {"names": ", ".join(self.care)}
            )
        if self.relatives:
            out.append(
                _("People who may act for you: %(names)s.") % {"names": ", ".join(self.relatives)}
            )
        return out

    @property
    def emergency_sentence(self) -> str:
        if self.emergency:
            return _(
                "In an emergency, a health professional can open your emergency information; "
                "you are told at once."
            )
        return _("You refused emergency access: nobody can open it in an emergency.")


def of_record(actor: Actor, patient_id: int) -> Audience:
    """The readers of the record now (NotFound unless the actor is the person or manages it)."""
    live = grants.list_grants(actor, patient_id)
    referent = next((g.practitioner for g in live if g.kind == "referent"), "")
    care = sorted({g.practitioner for g in live if g.kind != "referent" and g.practitioner})
    relatives = sorted({p.proxy for p in proxies.list_proxies(actor, patient_id) if p.proxy})
    refused = EmergencySettings.objects.filter(patient_id=patient_id, refuse=True).exists()
    return Audience(referent, care, relatives, not refused)
