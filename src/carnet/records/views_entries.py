"""Entry forms: the person adds an item to their own record, in plain words.

Views parse the form, call ``entries.add`` (which saves through ``services``: validated,
encrypted, audited) and say what happened. Nothing about the entry goes into a URL: the
kind of form is in the path, everything typed is posted.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carnet.access import acting
from carnet.access.services import NotFound

from . import data, entries, forms
from .fhir import InvalidResource

log = logging.getLogger("carnet.records")


def _patient_or_none(request):
    """The record entries go into: one's own, or that of the person one manages for."""
    return acting.whose(request, "manage")


@login_required
def entry_index(request):
    patient = _patient_or_none(request)
    if patient is None:
        return render(request, "records/no_record.html")
    try:
        contacts = entries.emergency_contacts(patient.actor, patient.patient_id, patient.purpose)
    except NotFound:  # a relative who manages the record without reading it
        contacts = []
    return render(
        request,
        "records/entry_index.html",
        {
            "kinds": entries.KINDS,
            "measures": [(key, m.label) for key, m in forms.MEASURES.items()],
            "contacts": contacts,
        },
    )


def _form_for(kind: str, post=None):
    if kind in forms.MEASURES:
        return forms.MeasurementForm(forms.MEASURES[kind], post)
    return entries.KINDS[kind].form(post)


@login_required
def entry_add(request, kind: str):
    entry_kind = entries.kind_of(kind)
    if entry_kind is None:
        raise Http404()
    patient = _patient_or_none(request)
    if patient is None:
        return render(request, "records/no_record.html")
    context = {"kind": entry_kind, "slug": kind}
    if request.method != "POST":
        context["form"] = _form_for(kind)
        return render(request, "records/entry_form.html", context)

    form = _form_for(kind, request.POST)
    context["form"] = form
    if kind == "traitement" and "search" in request.POST:
        # The plain search without JavaScript: the same form, with the medicines found.
        form.is_valid()
        form.errors.clear()
        context["results"] = data.search_medicines(request.POST.get("query", ""))
        context["searched"] = True
        return render(request, "records/entry_form.html", context)
    if kind == "traitement" and request.POST.get("medicine"):
        context["results"] = [m for m in [data.medicine(request.POST["medicine"])] if m]
    if not form.is_valid():
        return render(request, "records/entry_form.html", context, status=400)
    try:
        entries.add(
            patient.actor,
            patient.patient_id,
            kind,
            form,
            author=entries.Author(patient.actor, patient.purpose),
        )
    except NotFound:
        raise Http404() from None
    except InvalidResource as exc:
        log.warning("entry refused (%s)", type(exc).__name__)  # no input in logs
        form.add_error(
            None,
            _("This could not be saved. Check what you typed, shorten long texts, then try again."),
        )
        return render(request, "records/entry_form.html", context, status=400)
    messages.success(request, _("Saved in your record."))
    return redirect("records:entry_index")


@login_required
@require_POST
def medicine_search(request):
    """Medicines by name, for the treatment form's list (POST: the query stays out of URLs)."""
    found = data.search_medicines(request.POST.get("query", ""), limit=15)
    return JsonResponse(
        {"results": [{"cis": m.cis, "name": m.name, "marketed": m.marketed} for m in found]}
    )
