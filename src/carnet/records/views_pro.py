"""A practitioner reads a record shared with them: what matters first, the timeline, one
item, and a search of the record.

Every read goes through ``records`` (``summary_pdf.paper_summary``, ``services.timeline``,
``services.provenance``, ``services.search_text``) with purpose *care* (treatment), so
``access`` decides, filters what the grant does not cover (categories, sensitivity, items
the person hid) without saying so, and writes each read to the person's access history.
Without a live grant — none, expired, withdrawn — the answer is the same 404 as for a
record that does not exist. URLs carry the internal record number and item ids only;
search words travel by POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carnet.access import labels as access_labels
from carnet.access import masks, minors
from carnet.access import requests as access_requests
from carnet.access import services as access
from carnet.access.services import Actor, NotFound, Purpose

from . import search, services, summary_pdf, views_item, views_timeline, words
from .views_timeline import MAX_QUERY, PER_PAGE, row_of

RECENT_RESULTS = 5
CARE = Purpose.TREATMENT

LEVEL_WORDS = {
    "N": _("everyday items only, nothing sensitive"),
    "R": _("sensitive items too (mental health, sexual health, addiction…)"),
    "V": _("every item, even those marked very sensitive"),
}


def _practitioner(request) -> Actor:
    if request.user.role != "practitioner":
        raise Http404()
    return Actor.of_user(request.user)


def _shared(actor: Actor, patient_id: int) -> access_requests.SharedRecord:
    """The live sharing behind the page (the médecin traitant role first, as the policy)."""
    found = next(
        (s for s in access_requests.shared_with(actor) if s.patient_id == patient_id), None
    )
    if found is None:
        raise Http404()
    return found


def _scope(shared: access_requests.SharedRecord, view, name: str = "") -> dict:
    """What the header says the practitioner may see: taken from the permit's view itself."""
    names = dict(access_labels.Category.choices)
    categories = None
    if view is not None and view.scopes is not None:
        categories = [str(names[c]) for c in access_labels.CATEGORIES if c in view.scopes]
    level = view.max_level if view is not None else "N"
    shares = {
        c: view is not None and (view.scopes is None or c in view.scopes)
        for c in access_labels.CATEGORIES
    }
    return {
        "name": name or shared.name,
        "referent": shared.referent,
        "categories": categories,
        "level": LEVEL_WORDS.get(level, LEVEL_WORDS["N"]),
        "expires_at": shared.expires_at,
        "shares": shares,  # category -> whether the grant covers it (an empty list says why)
        "writes": shared.mode == "write",  # "Read, and add to my record": the add link
    }


def _context(actor: Actor, patient_id: int, permit, **more) -> dict:
    shared = _shared(actor, patient_id)
    # A record without an account of its own (a child's) is named by its Patient card.
    name = shared.name or services.name_on_record(permit)
    return {"patient_id": patient_id, "scope": _scope(shared, permit.view, name), **more}


def _item_url(patient_id: int, item_id: str) -> str:
    return reverse("records:pro_item", args=[patient_id, item_id])


def _rows(patient_id: int, listing: services.Listing) -> list[dict]:
    rows = [row_of(r, listing.shared) for r in listing.resources]
    for row in rows:
        row["url"] = _item_url(patient_id, row["id"])
    return rows


def _permit(actor: Actor, patient_id: int):
    """The view of the grant, for the header (``access.decide`` only: it writes nothing)."""
    decision = access.decide(actor, patient_id, "search", CARE)
    if not decision.permit:
        raise Http404()
    return decision


@login_required
@require_GET
def record(request, patient_id: int):
    """What a GP needs first: problems, treatments, allergies, results, vaccines, contacts."""
    actor = _practitioner(request)
    try:
        paper = summary_pdf.paper_summary(actor, patient_id, CARE)
        results = services.timeline(
            actor, patient_id, CARE, categories=["results"], per_page=RECENT_RESULTS
        )
    except NotFound:
        raise Http404() from None
    context = _context(
        actor,
        patient_id,
        paper.current.permit,
        paper=paper,
        person=paper.person,
        results=_rows(patient_id, results),
        more_results=max(0, results.total - RECENT_RESULTS),
        recent=[
            {
                "title": i.title,
                "kind": words.kind({"resourceType": i.resource_type}),
                "when": i.when,
                "url": _item_url(patient_id, i.id),
            }
            for i in paper.current.recent
        ],
    )
    context["invite_minor"] = minors.may_invite(actor, patient_id) is not None
    return render(request, "records/pro_record.html", context)


@login_required
@require_GET
def timeline(request, patient_id: int):
    """Every item the practitioner may see, newest first, with the citizen's filters."""
    actor = _practitioner(request)
    arguments, filters, errors = views_timeline.read_filters(request.GET)
    try:
        listing = services.timeline(actor, patient_id, CARE, **arguments)
    except NotFound:
        raise Http404() from None
    context = _context(
        actor,
        patient_id,
        _permit(actor, patient_id),
        rows=_rows(patient_id, listing),
        filter_action=reverse("records:pro_timeline", args=[patient_id]),
        **views_timeline.listing_context(listing, filters, errors),
    )
    return render(request, "records/pro_timeline.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def search_page(request, patient_id: int):
    """Words searched in the record by POST (never in a URL); only what the grant shows."""
    actor = _practitioner(request)
    permit = _permit(actor, patient_id)
    context: dict = {"q": "", "searched": False}
    status = 200
    if request.method == "POST":
        q = (request.POST.get("q") or "").strip()[:MAX_QUERY]
        context["q"] = q
        if not search.query_terms(q):
            context["error"] = _("Type at least one word of two letters or more.")
            status = 400 if q else 200
        else:
            try:
                listing = services.search_text(
                    actor,
                    patient_id,
                    CARE,
                    q,
                    page=views_timeline._page(request.POST.get("page")),
                    per_page=PER_PAGE,
                )
            except NotFound:
                raise Http404() from None
            context.update(
                searched=True,
                listing=listing,
                rows=_rows(patient_id, listing),
                previous_page=listing.page - 1 if listing.page > 1 else None,
                next_page=listing.page + 1 if listing.page < listing.pages else None,
            )
    context = _context(actor, patient_id, permit, **context)
    return render(request, "records/pro_search.html", context, status=status)


@login_required
@require_GET
def item(request, patient_id: int, item_id: str):
    """One item as the grant shows it; an item outside the grant is not found."""
    actor = _practitioner(request)
    try:
        versions = services.provenance(actor, patient_id, item_id, CARE)
        shown = views_item.item_context(request, actor, patient_id, CARE, versions, linked=False)
    except NotFound:
        raise Http404() from None
    context = _context(actor, patient_id, _permit(actor, patient_id), **shown)
    context["parents"] = masks.parents_choice(
        actor, patient_id, versions[0].resource["resourceType"], item_id
    )
    return render(request, "records/pro_item.html", context)


@login_required
@require_POST
def item_parents(request, patient_id: int, item_id: str):
    """Record, or lift, a minor's wish that their parents do not see this item."""
    actor = _practitioner(request)
    try:
        versions = services.provenance(actor, patient_id, item_id, CARE)
        masks.keep_from_parents(
            actor,
            patient_id,
            versions[0].resource["resourceType"],
            item_id,
            confidential=request.POST.get("not_parents") == "on",
        )
    except NotFound:
        raise Http404() from None
    messages.success(request, views_item.parents_message(request.POST.get("not_parents") == "on"))
    return redirect("records:pro_item", patient_id=patient_id, item_id=item_id)
