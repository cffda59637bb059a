"""The reimbursement pages: the simulator (a POSTed form: no health data in the URL)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carnet.access import acting

from . import form, simulator
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
        values = form.initial(known(found.actor, found.patient_id, found.purpose), today)
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
                    **{name: values.get(f"care-{i}-{name}") for name in form.CARE_FIELDS},
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
            "subject": found.name,
        },
    )
