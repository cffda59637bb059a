"""Renewal pages: the person asks in two taps; the prescriber accepts, modifies or declines."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.access import acting
from carnet.access.services import Actor, NotFound

from . import renewals


def person_and_record(request, need: str | None = None) -> tuple[Actor, int]:
    """The signed-in person and the record they act on (their own, or as a proxy who was
    given ``need``: ``access.acting.whose``); Http404 without a record."""
    found = acting.whose(request, need)
    if found is None:
        raise Http404()
    return found.actor, found.patient_id


def practitioner_actor(request) -> Actor:
    if request.user.role != "practitioner":
        raise Http404()
    return Actor.of_user(request.user)


class AskForm(forms.Form):
    practitioner = forms.TypedChoiceField(
        label=gettext_lazy("Who should renew it"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the health professional to ask.")},
    )

    def __init__(self, *args, prescribers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [
            (p.user_id, f"{p.name} ({p.profession})" if p.profession else p.name)
            for p in prescribers
        ]
        if prescribers:
            self.fields["practitioner"].initial = prescribers[0].user_id


class AnswerForm(forms.Form):
    dosage = forms.CharField(
        label=gettext_lazy("Dosage"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Change it to renew with a new dosage."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the person"),
        max_length=renewals.MAX_ANSWER,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed when you decline: say what to do next."),
    )


@login_required
def person_page(request):
    actor, pid = person_and_record(request)
    try:
        treatments = renewals.current_treatments(actor, pid)
        asked = renewals.for_person(actor, pid)
    except NotFound:
        raise Http404() from None
    waiting = {(r.treatment_type, r.treatment_id) for r in asked if r.status == "pending"}
    return render(
        request,
        "care/renewals.html",
        {
            "treatments": treatments,
            "asked": asked,
            "rows": [(t, (t.resource_type, t.id) in waiting) for t in treatments],
            "has_prescriber": bool(renewals.prescribers(actor, pid)),
        },
    )


@login_required
def ask(request, resource_type: str, fhir_id: str):
    actor, pid = person_and_record(request)
    items = {(t.resource_type, t.id): t for t in renewals.current_treatments(actor, pid)}
    item = items.get((resource_type, fhir_id))
    if item is None:
        raise Http404()
    found = renewals.prescribers(actor, pid)
    form = AskForm(request.POST or None, prescribers=found)
    if request.method == "POST" and form.is_valid():
        try:
            renewals.ask(actor, pid, resource_type, fhir_id, form.cleaned_data["practitioner"])
        except NotFound:
            raise Http404() from None
        except renewals.RenewalRefused:
            form.add_error(
                None,
                _("This request could not be sent. Check the treatment and the person to ask."),
            )
        else:
            messages.success(
                request, _("Your request is sent. You will be told when it has an answer.")
            )
            return redirect("care:renewals")
    return render(
        request,
        "care/renewal_ask.html",
        {"item": item, "form": form, "has_prescriber": bool(found)},
        status=400 if form.errors else 200,
    )


@login_required
def pro_inbox(request):
    actor = practitioner_actor(request)
    return render(request, "care/pro_renewals.html", {"rows": renewals.inbox(actor)})


@login_required
def pro_answer(request, renewal_id: int):
    actor = practitioner_actor(request)
    try:
        view, source = renewals.open_for_prescriber(actor, renewal_id)
    except NotFound:
        raise Http404() from None
    form = AnswerForm(request.POST or None, initial={"dosage": view.dosage})
    status = 200
    if request.method == "POST" and form.is_valid():
        choice = request.POST.get("choice")
        message = form.cleaned_data["message"]
        try:
            if choice == "decline":
                renewals.decline(actor, renewal_id, message)
                messages.success(request, _("The person is told that you declined."))
            elif choice in ("accept", "modify"):
                dosage = form.cleaned_data["dosage"] if choice == "modify" else None
                renewals.issue(actor, renewal_id, dosage=dosage, note=message)
                messages.success(request, _("The prescription is issued in the person's record."))
            else:
                raise renewals.RenewalRefused("no choice")
            return redirect("care:pro_renewals")
        except NotFound:
            raise Http404() from None
        except renewals.RenewalRefused:
            if choice == "decline" and not message.strip():
                form.add_error("message", _("Write a message: say why and what to do next."))
            else:
                form.add_error(None, _("This request was already answered, or cannot be now."))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "care/pro_renewal.html",
        {"renewal": view, "source": source, "form": form},
        status=status,
    )
