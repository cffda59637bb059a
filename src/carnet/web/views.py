from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records


@login_required
def home(request):
    patient = accounts.patient_of(request.user)
    counts = {}
    if patient is not None:
        counts = records.count_by_type(Actor.of_user(request.user), patient.pk, Purpose.SELF)
    return render(request, "web/home.html", {"patient": patient, "counts": counts})
