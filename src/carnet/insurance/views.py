"""The reimbursement pages: the simulator (a POSTed form: no health data in the URL), the
history per year and month (the person's, or a practitioner's within what is shared), and
the person's own lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carnet.access import acting
from carnet.access.services import Actor, NotFound, Purpose

from . import form, history, simulator
from . import rules as rulebook
from .known import known


@login_required
@require_http_methods(["GET", "POST"])
def simulator_page(request):
    found = acting.whose(request, "read")
    if found is None:
        raise Http404()
    today = timezone.localdate()
    result = error = error_field = None
    if request.method == "POST":
        values = form.values(request.POST)
        data, slots = form.to_input(values)
        try:
            result = simulator.run(data)
        except simulator.InvalidInput as exc:
            error, error_field = exc, form.field_of(exc.field, slots)
    else:
        values = form.initial(known(found.actor, found.patient_id, found.purpose, today), today)
    return render(
        request,
        "insurance/simulator.html",
        {
            "v": values,
            "slots": [
                {
                    "i": i,
                    "bad": (error_field or "").removeprefix(f"care-{i}-")
                    if (error_field or "").startswith(f"care-{i}-")
                    else "",
                    **{name: values.get(f"care-{i}-{name}") or "" for name in form.CARE_FIELDS},
                }
                for i in range(form.SLOTS)
            ],
            "kinds": form.KINDS,
            "specialties": form.SPECIALTIES,
            "sectors": form.SECTORS,
            "months": range(1, 10),
            "result": result,
            "totals": {
                name: result.total(name)
                for name in ("fee", "amo_pays", "complementary_pays", "patient_pays")
            }
            if result
            else None,
            "error": error,
            "error_field": error_field,
            "error_label": form.label_of(error_field) if error_field else "",
            "subject": found.name,
        },
        status=400 if error else 200,
    )


def _whose(request):
    found = acting.whose(request, "read")
    if found is None:
        raise Http404()
    return found


YEARS = (1900, 2200)


def _history_page(request, actor, pid, purpose, year, month, *, pro_patient=None, subject=""):
    if year is not None and not YEARS[0] <= year <= YEARS[1]:
        raise Http404()
    try:
        found = history.rows(actor, pid, purpose)
    except NotFound:
        raise Http404() from None
    known_years = history.years(found)
    if year is None:
        year = known_years[0] if known_years else timezone.localdate().year
    shown = history.year_of(found, year)
    months = shown.months
    if month is not None:
        months = [m for m in months if m.label.month == month]
    return render(
        request,
        "insurance/history.html",
        {
            "year": shown,
            "months": months,
            "month": month,
            "years": known_years,
            "pro_patient": pro_patient,
            "subject": subject,
            "kinds": OWN_KINDS,
            "today": timezone.localdate(),
            "rules_begin": rulebook.book().begins,
            "add_error": request.session.pop("insurance_add_error", None)
            if pro_patient is None
            else None,
        },
    )


@login_required
@require_GET
def history_page(request, year: int | None = None, month: int | None = None):
    found = _whose(request)
    if month is not None and not 1 <= month <= 12:
        raise Http404()
    return _history_page(
        request, found.actor, found.patient_id, found.purpose, year, month, subject=found.name
    )


@login_required
@require_GET
def pro_history(request, patient_id: int, year: int | None = None):
    """A practitioner sees the history only within what the person shares (else 404)."""
    if request.user.role != "practitioner":
        raise Http404()
    return _history_page(
        request,
        Actor.of_user(request.user),
        patient_id,
        Purpose.TREATMENT,
        year,
        None,
        pro_patient=patient_id,
    )


OWN_KINDS = [
    ("act", gettext_lazy("A consultation or an act")),
    ("medicine", gettext_lazy("Medicines (boxes)")),
    ("other", gettext_lazy("Something else")),
]


@login_required
@require_POST
def add_own(request):
    found = _whose(request)
    post = request.POST
    try:
        day = dt.date.fromisoformat(post.get("day", ""))
        kind = post.get("kind", "")
        what = " ".join(post.get("what", "").split())[:200]
        if kind not in history.KINDS or not what:
            raise ValueError
        money = {}
        for name in ("cost", "insurer", "complementary"):
            text = post.get(name, "").strip().replace(",", ".")
            money[name] = Decimal(text).quantize(Decimal("0.01")) if text else None
            if money[name] is not None and (money[name] < 0 or money[name] > 100000):
                raise ValueError
        if money["cost"] is None or money["insurer"] is None:
            raise ValueError
        boxes = int(post.get("boxes") or 0) if kind == "medicine" else 0
        if not 0 <= boxes <= 99:
            raise ValueError
    except (ValueError, ArithmeticError):
        request.session["insurance_add_error"] = _(
            "This line could not be added: give the date, what it was, the price and what the "
            "Assurance Maladie paid, in euros."
        )
        return redirect(reverse("insurance:history") + "#add")
    try:
        history.add_own(
            found.actor,
            found.patient_id,
            found.purpose,
            day=day,
            what=what,
            who=" ".join(post.get("who", "").split())[:200],
            kind=kind,
            cost=money["cost"],
            insurer=money["insurer"],
            complementary=money["complementary"],
            boxes=boxes,
        )
    except NotFound:
        raise Http404() from None
    messages.success(request, _("Added to your reimbursements."))
    return redirect("insurance:history_year", year=day.year)
