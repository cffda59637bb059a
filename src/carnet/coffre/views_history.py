"""The access history page: who saw what, when, why, allowed or not; and its FHIR export."""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from carnet.access import history
from carnet.access.services import NotFound
from carnet.web.easy_read import template_for
from carnet.web.params import bounded_int

from .views_sharing import actor_and_record

DECISIONS = [
    ("", gettext_lazy("All")),
    ("permit", gettext_lazy("Allowed")),
    ("deny", gettext_lazy("Refused")),
]


class HistoryFilters(forms.Form):
    who = forms.TypedChoiceField(
        label=gettext_lazy("Who"), required=False, coerce=int, empty_value=None
    )
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a date, for example 2025-03-31.")},
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a date, for example 2025-03-31.")},
    )
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), required=False, choices=DECISIONS)
    own = forms.BooleanField(label=gettext_lazy("Also show what I did myself"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [
            ("", gettext_lazy("Everyone")),
            ("0", gettext_lazy("Carnet (the platform)")),
            *[(str(pk), label) for pk, label in people],
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("The end date comes before the start date."))
        return data


def _filters(request, people) -> tuple[HistoryFilters, history.Filters | None]:
    form = HistoryFilters(request.GET or None, people=people)
    if not request.GET:
        return form, history.Filters()
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    return form, history.Filters(
        who=d.get("who"),
        since=d.get("since"),
        until=d.get("until"),
        decision=d.get("decision") or "",
        include_own=bool(d.get("own")),
    )


@login_required
def history_page(request):
    actor, patient_id = actor_and_record(request)
    try:
        people = history.people(actor, patient_id)
        form, filters = _filters(request, people)
        offset = bounded_int(request.GET.get("depuis"))
        result = history.page(actor, patient_id, filters or history.Filters(), offset=offset)
    except NotFound:
        raise Http404() from None
    params = request.GET.copy()
    params.pop("depuis", None)
    return render(
        request,
        template_for(request, "coffre/history.html"),
        {
            "form": form,
            "invalid": filters is None,
            "page": result,
            "query": params.urlencode(),
            "next_offset": result.next_offset,
        },
        status=400 if filters is None else 200,
    )


@login_required
def history_export(request):
    """The history (with the same filters) as a FHIR R4B Bundle of AuditEvent resources."""
    actor, patient_id = actor_and_record(request)
    try:
        people = history.people(actor, patient_id)
        _form, filters = _filters(request, people)
        bundle = history.export_bundle(actor, patient_id, filters or history.Filters())
    except NotFound:
        raise Http404() from None
    body = json.dumps(bundle, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    name = f"carnet-historique-{date.isoformat(timezone.localdate())}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
