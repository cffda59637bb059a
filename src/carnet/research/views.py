"""Pages: the person's choice (« Recherche »), the researcher's workspace, the epidemic watch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts

from . import consent, history, ledger, queries, watch
from .minimal import CODED
from .models import PURPOSES


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
        if purpose not in PURPOSES or request.POST.get("on") not in ("0", "1"):
            return render(
                request,
                "research/my_choice.html",
                {"choices": consent.choices(patient.pk), "bad_form": True},
                status=400,
            )
        try:
            consent.set_choice(Actor.of_user(request.user), patient.pk, purpose, on)
        except NotFound:
            raise Http404() from None
        messages.success(
            request,
            _("Your choice is saved.") if on else _("Your data no longer counts in new figures."),
        )
        return redirect("research:my_choice")
    return render(request, "research/my_choice.html", {"choices": consent.choices(patient.pk)})


def _researcher(request):
    if request.user.role != "researcher":
        raise Http404()


@login_required
@require_http_methods(["GET", "POST"])
def workspace(request):
    """Anne builds a question, reads the answer with its margin, her budget and past questions."""
    _researcher(request)
    answer, error = None, ""
    form = {
        "resource": "Condition",
        "code": "",
        "epsilon": "0.5",
        "weeks": "12",
        "group_by": [],
        "bucket": "",
    }
    if request.method == "POST":
        form = {
            "resource": request.POST.get("resource", ""),
            "code": request.POST.get("code", ""),
            "epsilon": request.POST.get("epsilon", ""),
            "weeks": request.POST.get("weeks", ""),
            "group_by": request.POST.getlist("group_by"),
            "bucket": request.POST.get("bucket", ""),
        }
        try:
            q = queries.question(form)
            answer = queries.ask(request.user.pk, q)
            history.note_release(answer.counted, "research")
        except queries.Refused as exc:
            error = str(exc)
    shown = []
    hidden = 0
    if answer is not None:
        for c in answer.cells:
            if c["suppressed"]:
                hidden += 1
            else:
                shown.append(
                    {
                        "group": ", ".join(str(c[d] or "?") for d in queries.DIMENSIONS if d in c),
                        "count": c["count"],
                        "low": max(0, c["count"] - answer.margin),
                        "high": c["count"] + answer.margin,
                    }
                )
    return render(
        request,
        "research/workspace.html",
        {**_page(form, error, answer, shown, hidden, request.user.pk)},
        status=400 if error else 200,
    )


CHART_WIDTH, CHART_ROWS = 300, 40


def _chart(shown: list[dict]) -> dict | None:
    """Bars for the first cells shown, each with its likely range (an SVG drawn by the page)."""
    rows = shown[:CHART_ROWS]
    if not rows:
        return None
    top = max(c["high"] for c in rows) or 1
    bars = []
    for i, c in enumerate(rows):
        bars.append(
            {
                **c,
                "y": i * 34,
                "width": round(c["count"] * CHART_WIDTH / top, 1),
                "low_x": round(c["low"] * CHART_WIDTH / top, 1),
                "high_x": round(c["high"] * CHART_WIDTH / top, 1),
            }
        )
    return {"bars": bars, "height": len(rows) * 34, "width": CHART_WIDTH + 20}


def _page(form, error, answer, shown, hidden, researcher_id) -> dict:
    return dict(
        form=form,
        error=error,
        answer=answer,
        shown=shown,
        hidden=hidden,
        chart=_chart(shown),
        budget=ledger.budget(),
        left=ledger.left(researcher_id),
        past=ledger.past(researcher_id, 20),
        resources=list(CODED),
        dimensions=queries.DIMENSIONS,
    )


@require_GET
def epidemic_watch(request):
    """The public weekly page of signals (no sign-in)."""
    return render(
        request,
        "research/watch.html",
        {"weeks": watch.page(), "epsilon": watch.EPSILON, "threshold": queries.THRESHOLD},
    )
