"""Carry it: the record's summary to print (a page and a PDF) and the emergency card.

Views only find the person's own record, ask ``summary_pdf.paper_summary`` (one read
through ``access``, audited) and render the same templates as a page or as a PDF. A PDF
is an attachment whose file name never holds the person's name, and is never cached.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from carnet.access import acting
from carnet.access.services import NotFound
from carnet.web.easy_read import template_for

from . import summary_pdf


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _paper(request) -> dict:
    """What the pages show, for the person's record (their own, or the one they act for
    with reading: ``access.acting.whose``); 404 for anyone without one."""
    found = acting.whose(request, "read")
    if found is None:
        raise Http404()
    try:
        paper = summary_pdf.paper_summary(found.actor, found.patient_id, found.purpose)
    except NotFound as e:
        raise Http404() from e
    return {
        "paper": paper,
        "person": paper.person,
        "printed_on": timezone.localdate(),
        "export_url": _url("records:export"),
        "emergency_url": _url("coffre:emergency_settings"),
        "home_url": _url("home"),
    }


def _never_cached(response):
    add_never_cache_headers(response)
    return response


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return _never_cached(response)


@login_required
@require_GET
def summary_page(request):
    return _never_cached(render(request, "records/summary.html", _paper(request)))


@login_required
@require_GET
def summary_download(request):
    context = _paper(request)
    content = summary_pdf.render_pdf("records/summary_pdf.html", context)
    return _pdf(content, f"carnet-resume-{context['printed_on'].isoformat()}.pdf")


@login_required
@require_GET
def card_page(request):
    return _never_cached(
        render(request, template_for(request, "records/card.html"), _paper(request))
    )


@login_required
@require_GET
def card_download(request):
    context = _paper(request)
    content = summary_pdf.render_pdf("records/card_pdf.html", context, card=True)
    return _pdf(content, "carnet-carte-urgence.pdf")
