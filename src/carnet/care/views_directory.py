"""The directory page: search practitioners by name, profession, specialty or town.

Search terms go by POST, never in the address (it lands in logs and browser history).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.access import acting
from carnet.access.services import Actor, NotFound

from . import directory, finder


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=100)
    profession = forms.CharField(
        label=gettext_lazy("Profession"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example: médecin, infirmier, masseur-kinésithérapeute"),
    )
    specialty = forms.CharField(
        label=gettext_lazy("Specialty"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example: Cardiologie, Médecine Générale"),
    )
    town = forms.CharField(label=gettext_lazy("Town or postcode"), required=False, max_length=100)

    def clean(self):
        cd = super().clean()
        if not any(directory.fold(cd.get(k, "")) for k in ("q", "profession", "specialty", "town")):
            raise forms.ValidationError(
                _("Type a name, a profession, a specialty or a town, then search.")
            )
        if cd.get("q") and len(directory.fold(cd["q"]).replace(" ", "")) < 2:
            self.add_error("q", _("Type at least two letters of the name."))
        return cd


def _record_of(request) -> int | None:
    found = acting.whose(request)
    return found.patient_id if found is not None else None


@login_required
def search(request):
    form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            results = finder.find(
                Actor.of_user(request.user),
                _record_of(request),
                q=cd["q"],
                profession=cd["profession"],
                specialty=cd["specialty"],
                town=cd["town"],
            )
        except NotFound:
            raise Http404() from None
    return render(
        request,
        "care/directory.html",
        {"form": form, "results": results, "page": finder.PAGE},
        status=400 if form.errors else 200,
    )
