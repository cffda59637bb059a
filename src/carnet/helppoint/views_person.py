"""The person's side: « Être aidé à un guichet » — a code for the advisor, paper codes, the
end of the help session at any moment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from carnet.access import acting, assistance
from carnet.access.services import NotFound

from . import services
from .banner import scope_list
from .forms import ScopesForm


def _whose(request):
    whose = acting.whose(request, "manage")
    if whose is None:
        raise Http404()
    return whose


def _page(request, whose, form, code=None, status=200):
    return render(
        request,
        "helppoint/person.html",
        {
            "form": form,
            "code": code,
            "code_scopes": scope_list(code.scopes) if code else "",
            "minutes": services.CODE_MINUTES,
            "live": assistance.live_for_patient(whose.patient_id),
            "paper_left": services.paper_codes_left(whose.patient_id),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person(request):
    """GET: the page; POST: a new code with what the advisor may do (shown once, in this
    answer only: never in a URL, never kept in clear)."""
    whose = _whose(request)
    if request.method == "GET":
        return _page(request, whose, ScopesForm())
    form = ScopesForm(request.POST)
    if not form.is_valid():
        return _page(request, whose, form, status=400)
    try:
        code = services.create_code(whose.actor, whose.patient_id, form.cleaned_data["scopes"])
    except NotFound:
        raise Http404() from None
    return _page(request, whose, ScopesForm(initial={"scopes": code.scopes}), code=code)


@login_required
@require_POST
def paper(request):
    """A printable sheet of single-use codes for a visit without a phone."""
    whose = _whose(request)
    try:
        codes = services.paper_codes(whose.actor, whose.patient_id)
    except NotFound:
        raise Http404() from None
    return render(
        request,
        "helppoint/paper.html",
        {"codes": [services.show(c) for c in codes], "name": whose.name or str(request.user)},
    )


@login_required
@require_POST
def end(request):
    whose = _whose(request)
    try:
        n = services.end_from_person(whose.actor, whose.patient_id)
    except (NotFound, assistance.Invalid):
        raise Http404() from None
    if n:
        messages.success(request, _("The help session has ended. The advisor can do nothing more."))
    return redirect("helppoint:person")
