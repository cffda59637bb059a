"""Pages: the person's choice (« Recherche »), the researcher's workspace, the epidemic watch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts

from . import consent


@login_required
@require_http_methods(["GET", "POST"])
def my_choice(request):
    """The citizen turns contributing on or off, per purpose; nothing is on by default."""
    patient = accounts.patient_of(request.user)
    if patient is None:
        raise Http404()
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        on = request.POST.get("on") == "1"
        try:
            consent.set_choice(Actor.of_user(request.user), patient.pk, purpose, on)
        except (ValueError, NotFound):
            raise Http404() from None
        messages.success(
            request,
            _("Your choice is saved.") if on else _("Your data no longer counts in new figures."),
        )
        return redirect("research:my_choice")
    return render(request, "research/my_choice.html", {"choices": consent.choices(patient.pk)})
