"""Appointment pages: find a practitioner, book, move, cancel, download; the practitioner's agenda."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.access.services import Actor, NotFound
from carnet.accounts.models import Patient, User

from . import appointments
from .views_renewals import person_and_record, practitioner_actor

WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
TAKEN = gettext_lazy("Someone has just booked this time. Choose another one below.")


class HoursForm(forms.Form):
    types = forms.CharField(
        label=gettext_lazy("Appointment types, one a line: name and minutes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: Consultation 20"),
        error_messages={
            "required": gettext_lazy("Give at least one type, for example: Consultation 20")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, name in enumerate(WEEKDAYS):
            self.fields[f"day{i}"] = forms.CharField(
                # French weekdays are lowercase in a sentence ("Aujourd'hui, samedi"):
                # capitalised here, where the day stands alone as a label.
                label=capfirst(name),
                required=False,
                max_length=200,
                # Said once, above the first day, rather than seven times on a phone.
                help_text=(
                    gettext_lazy("Hours like 09:00-12:00, 14:00-18:00; empty when closed.")
                    if i == 0
                    else ""
                ),
            )

    def clean(self):
        cd = super().clean()
        hours = {}
        for i in range(7):
            try:
                hours[i] = appointments.parse_ranges(cd.get(f"day{i}", ""))
            except appointments.ScheduleRefused:
                self.add_error(f"day{i}", _("Write hours like 09:00-12:00, 14:00-18:00."))
        types = []
        for line in (cd.get("types") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            label, _sep, minutes = line.rpartition(" ")
            if not label.strip() or not minutes.isdigit() or not 5 <= int(minutes) <= 240:
                self.add_error(
                    "types", _("Write each type as a name and minutes (5 to 240): Consultation 20")
                )
                break
            types.append((label.strip(), int(minutes)))
        cd["hours"], cd["type_list"] = hours, types
        return cd


def _start_of(request) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(request.POST.get("start", ""))
    except ValueError:
        return None
    return value if value.tzinfo else None


def _type_id(request) -> int | None:
    raw = request.POST.get("type") or request.GET.get("type") or ""
    return int(raw) if raw.isdigit() else None


def _names(ids) -> dict[int, object]:
    return {u.pk: u for u in User.objects.filter(pk__in=set(ids))}


@login_required
def person_page(request):
    actor, pid = person_and_record(request, "appointments")
    try:
        mine = appointments.for_person(actor, pid)
    except NotFound:
        raise Http404() from None
    names = _names(a.practitioner_id for a in mine)
    return render(
        request,
        "care/appointments.html",
        {
            "rows": [(a, names.get(a.practitioner_id)) for a in mine],
            "bookable": appointments.bookable(),
        },
    )


def _slots_page(request, practitioner_id, kind_id, *, appt=None, error=None):
    schedule, types = appointments.schedule_of(practitioner_id)
    if schedule is None or not types:
        raise Http404()
    practitioner = _names([practitioner_id]).get(practitioner_id)
    slots = {}
    if kind_id is not None:
        try:
            slots = appointments.free_slots(
                practitioner_id, kind_id, exclude=appt.pk if appt else None
            )
        except NotFound:
            raise Http404() from None
    return render(
        request,
        "care/appointment_book.html",
        {
            "practitioner": practitioner,
            "types": types,
            "kind_id": kind_id,
            "slots": sorted(slots.items()),
            "appt": appt,
            "error": error,
        },
        status=409 if error else 200,
    )


@login_required
def book(request, practitioner_id: int):
    actor, pid = person_and_record(request, "appointments")
    kind_id = _type_id(request)
    error = None
    if request.method == "POST":
        start = _start_of(request)
        if start is None or kind_id is None:
            error = _("Choose a time in the list, then confirm.")
        else:
            try:
                appointments.book(actor, pid, practitioner_id, kind_id, start)
            except NotFound:
                raise Http404() from None
            except appointments.SlotTaken:
                error = TAKEN
            else:
                messages.success(
                    request, _("Your appointment is booked. A confirmation is on its way.")
                )
                return redirect("care:appointments")
    return _slots_page(request, practitioner_id, kind_id, error=error)


@login_required
def move(request, appointment_id: int):
    actor, _pid = person_and_record(request, "appointments")
    try:
        appt = appointments.get(actor, appointment_id)
    except NotFound:
        raise Http404() from None
    if actor.role == "practitioner":
        raise Http404()
    error = None
    if request.method == "POST":
        start = _start_of(request)
        if start is None:
            error = _("Choose a time in the list, then confirm.")
        else:
            try:
                appointments.move(actor, appointment_id, start)
            except NotFound:
                raise Http404() from None
            except appointments.SlotTaken:
                error = TAKEN
            else:
                messages.success(request, _("Your appointment is moved."))
                return redirect("care:appointments")
    return _slots_page(request, appt.practitioner_id, appt.kind_id, appt=appt, error=error)


@login_required
def cancel(request, appointment_id: int):
    actor = Actor.of_user(request.user)
    try:
        appt = appointments.get(actor, appointment_id)
    except NotFound:
        raise Http404() from None
    if request.method == "POST":
        appointments.cancel(actor, appointment_id)
        messages.success(request, _("The appointment is cancelled."))
        if actor.role == "practitioner":
            return redirect("care:pro_agenda")
        return redirect("care:appointments")
    names = _names([appt.practitioner_id])
    return render(
        request,
        "care/appointment_cancel.html",
        {"appt": appt, "practitioner": names.get(appt.practitioner_id)},
    )


@login_required
def ics(request, appointment_id: int):
    actor = Actor.of_user(request.user)
    try:
        appt = appointments.get(actor, appointment_id)
    except NotFound:
        raise Http404() from None
    who = _names([appt.practitioner_id]).get(appt.practitioner_id)
    body = appointments.ics(
        appt, practitioner=str(who or ""), where=getattr(who, "organisation", "")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{appt.pk}.ics"'
    return response


@login_required
def pro_agenda(request):
    actor = practitioner_actor(request)
    rows = appointments.agenda(actor)
    owners = dict(
        Patient.objects.filter(pk__in={a.patient_id for a in rows}).values_list(
            "pk", "owner__display_name"
        )
    )
    schedule, types = appointments.schedule_of(actor.user_id)
    return render(
        request,
        "care/pro_agenda.html",
        {
            "rows": [(a, owners.get(a.patient_id) or "") for a in rows],
            "published": schedule is not None,
        },
    )


@login_required
def pro_hours(request):
    actor = practitioner_actor(request)
    schedule, types = appointments.schedule_of(actor.user_id)
    initial = {"types": "\n".join(f"{t.label} {t.minutes}" for t in types)}
    if schedule is not None:
        for i in range(7):
            initial[f"day{i}"] = ", ".join(f"{a}-{b}" for a, b in schedule.hours.get(str(i), []))
    form = HoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appointments.publish(actor, form.cleaned_data["hours"], form.cleaned_data["type_list"])
        except appointments.ScheduleRefused:
            form.add_error("types", _("Give at least one type, for example: Consultation 20"))
        else:
            messages.success(request, _("Your opening hours are published."))
            return redirect("care:pro_agenda")
    return render(
        request, "care/pro_hours.html", {"form": form}, status=400 if form.errors else 200
    )
