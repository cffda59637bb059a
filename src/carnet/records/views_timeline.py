"""The timeline of a record and its full-text search: every item, newest first, in plain words.

Filters are ids, kinds and dates (GET: none of it is a health datum); search words are
health data, so they travel by POST only and the result page is rendered without a
redirect (they never reach a URL, a log line or the browser history).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from carnet.access import acting
from carnet.access import labels as access_labels
from carnet.access.services import Actor, NotFound

from . import fhir, search, services, words

PER_PAGE = 30

# The kinds a person filters by, in the order of the filter: access.labels' categories.
KINDS = [
    access_labels.Category.CONSULTATIONS,
    access_labels.Category.RESULTS,
    access_labels.Category.MEASUREMENTS,
    access_labels.Category.TREATMENTS,
    access_labels.Category.VACCINES,
    access_labels.Category.DOCUMENTS,
    access_labels.Category.PROBLEMS,
    access_labels.Category.ADMINISTRATIVE,
]

# --- Whose record ----------------------------------------------------------------------------


def record_of(request) -> tuple[Actor, int, str] | None:
    """(actor, patient id, purpose) of the record the user is looking at: their own, or the
    record of the relative they act for, who must have been given reading
    (``access.acting.whose``). None when they have no record."""
    found = acting.whose(request, "read")
    if found is None:
        return None
    return found.actor, found.patient_id, found.purpose


# --- Plain words for one item -----------------------------------------------------------------


def same_context(resource: dict, others: list[dict]) -> list[dict]:
    """Of the same measure as ``resource``, those taken in the same context: a heart rate at
    rest or during exercise is charted only with heart rates of its own context."""
    if not words.is_heart_rate(resource):
        return others
    context = words.heart_rate_context(resource)
    return [r for r in others if words.heart_rate_context(r) == context]


def who_of(resource: dict, shared: dict[str, dict]) -> list[str]:
    """The practitioners named by an item (from the shared directory or the reference's text)."""
    names = []
    for ref in sorted(search.who_refs(resource)):
        name = words.person_name(shared.get(ref), titled=True)
        if name and name not in names:
            names.append(name)
    if not names:
        for key in search.WHO_KEYS:
            node = resource.get(key)
            for n in node if isinstance(node, list) else [node]:
                inner = n.get("individual") or n.get("actor") if isinstance(n, dict) else None
                ref = inner if isinstance(inner, dict) else n
                if isinstance(ref, dict) and str(ref.get("reference", "")).startswith(
                    search.WHO_TYPES
                ):
                    if ref.get("display") and ref["display"] not in names:
                        names.append(str(ref["display"]))
    return names


def row_of(resource: dict, shared: dict[str, dict]) -> dict:
    """One line of the timeline: what, when, who; and the link to the item's page."""
    return {
        "id": resource["id"],
        "kind": words.kind(resource),
        "title": words.title(resource),
        "value": words.value(resource) if resource.get("resourceType") == "Observation" else "",
        "when": words.when(resource),
        "who": who_of(resource, shared),
        "url": reverse("records:item", args=[resource["id"]]),
    }


# --- Filters ----------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _page(value) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


def read_filters(params) -> tuple[dict, dict, list]:
    """The timeline's filters from a query string (ids, kinds and dates only).

    Returns the ``services.timeline`` keyword arguments, the values to show back in the
    form, and the messages for what was not understood.
    """
    kind = params.get("type") or ""
    if kind not in {str(k) for k in KINDS}:
        kind = ""
    since, until = _day(params.get("du")), _day(params.get("au"))
    errors = []
    if params.get("du") and since is None or params.get("au") and until is None:
        errors.append(_("Write the dates as day/month/year, for example 05/03/2024."))
    if since and until and until < since:
        errors.append(_("The end of the period comes before its start: swap the two dates."))
        since = until = None
    who = params.get("pro") or ""
    if who and not fhir.ID_RE.match(who):
        who = ""
    arguments = {
        "categories": [kind] if kind else None,
        "since": _start_of(since) if since else None,
        "until": _start_of(until + timedelta(days=1)) if until else None,
        "practitioner": who or None,
        "page": _page(params.get("page")),
        "per_page": PER_PAGE,
    }
    return arguments, {"type": kind, "du": since, "au": until, "pro": who}, errors


def listing_context(listing: services.Listing, filters: dict, errors: list) -> dict:
    """What the timeline templates need besides the rows: filters, people, pages."""
    people = sorted(
        ((fid, words.person_name(body, titled=True)) for fid, body in listing.practitioners),
        key=lambda p: p[1],
    )
    query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    return {
        "listing": listing,
        "kinds": [(str(k), access_labels.Category(k).label) for k in KINDS],
        "people": people,
        "filters": filters,
        "filtered": bool(query),
        "query": query,
        "errors": errors,
        "previous_page": listing.page - 1 if listing.page > 1 else None,
        "next_page": listing.page + 1 if listing.page < listing.pages else None,
    }


@login_required
def timeline(request):
    found = record_of(request)
    if found is None:
        return render(request, "records/no_record.html")
    actor, pid, purpose = found
    arguments, filters, errors = read_filters(request.GET)
    try:
        listing = services.timeline(actor, pid, purpose, **arguments)
    except NotFound:
        raise Http404() from None
    context = listing_context(listing, filters, errors)
    context["rows"] = [row_of(r, listing.shared) for r in listing.resources]
    return render(request, "records/timeline.html", context)


# --- Search -------------------------------------------------------------------------------------

MAX_QUERY = 200


@login_required
@require_http_methods(["GET", "POST"])
def search_page(request):
    found = record_of(request)
    if found is None:
        return render(request, "records/no_record.html")
    actor, pid, purpose = found
    context: dict = {"q": "", "searched": False}
    if request.method == "POST":
        q = (request.POST.get("q") or "").strip()[:MAX_QUERY]
        context["q"] = q
        if not search.query_terms(q):
            context["error"] = _("Type at least one word of two letters or more.")
            return render(request, "records/search.html", context, status=400 if q else 200)
        try:
            listing = services.search_text(
                actor, pid, purpose, q, page=_page(request.POST.get("page")), per_page=PER_PAGE
            )
        except NotFound:
            raise Http404() from None
        context.update(
            searched=True,
            listing=listing,
            rows=[row_of(r, listing.shared) for r in listing.resources],
            previous_page=listing.page - 1 if listing.page > 1 else None,
            next_page=listing.page + 1 if listing.page < listing.pages else None,
        )
    return render(request, "records/search.html", context)
