from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from carnet.access import acting
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records

from .labels import summarise


@login_required
def home(request):
    """A citizen sees a short summary of their record; others see what they will do here."""
    if acting.current(request) is not None:
        return redirect("access:proxy_record")  # acting for a relative: their record
    patient = accounts.patient_of(request.user)
    if patient is None:
        return render(request, "web/welcome.html", {"role": request.user.role})
    counts = records.count_by_type(Actor.of_user(request.user), patient.pk, Purpose.SELF)
    kinds = summarise(counts)
    return render(
        request,
        "web/home.html",
        {"kinds": kinds, "total": sum(n for _key, _label, n in kinds)},
    )


def goodbye(request):
    """Shown once an account is closed (the person is signed out by then)."""
    return render(request, "web/goodbye.html")
