"""The banner of a help session, on both sides (template context processor).

The advisor reads « Vous aidez Henri Martin — import, rappels — jusqu'à 14 h 30 —
Terminer »; the person reads « Claire D., France Services de Muret, vous aide — Terminer ».
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from carnet.access import assistance

from .kiosk import idle_seconds, is_kiosk, signs_out_at
from .services import desk_of, person_name

SCOPE_WORDS = {
    "read": _("read the record"),
    "import": _("import a file"),
    "reminders": _("set up reminders"),
    "share": _("share with a doctor"),
}


def scope_words(scopes) -> list[str]:
    return [str(SCOPE_WORDS[s]) for s in scopes if s in SCOPE_WORDS]


def scope_list(scopes) -> str:
    """« importer un fichier, régler les rappels », with the language's comma (Arabic « ، »)."""
    return pgettext("list separator", ", ").join(scope_words(scopes))


def context(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if user.role == "advisor":
        out: dict = {"help_desk": desk_of(user)}  # the advisor's help point, if any
        live = assistance.live_for_advisor(user.pk)
        if live is not None:
            out["assisting"] = {
                "name": person_name(live.patient_id),
                "scopes": scope_list(live.scopes),
                "until": live.expires_at,
            }
        if is_kiosk(request):
            out["kiosk"] = {"seconds": idle_seconds(), "until": signs_out_at(request)}
        return out
    if user.role == "citizen":
        helped = [
            {"helper": s.helper, "place": s.place, "until": s.expires_at}
            for s in assistance.live_for_owner(user.pk)
        ]
        return {"helped_by": helped} if helped else {}
    return {}
