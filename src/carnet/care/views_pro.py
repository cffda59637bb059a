"""The practitioner's workspace (/pro/) and conversations within a patient's care team."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.access.services import NotFound
from carnet.accounts.models import Patient

from . import messaging, workspace
from .views_renewals import practitioner_actor


class TeamForm(forms.Form):
    colleague = forms.TypedChoiceField(
        label=gettext_lazy("To"),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose who to write to.")},
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=messaging.MAX_SUBJECT,
        error_messages={"required": gettext_lazy("Give a short subject.")},
    )
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=messaging.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write your message, then send it.")},
    )

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].choices = [
            (m.user_id, f"{m.name} ({m.profession})" if m.profession else m.name)
            for m in colleagues
        ]


@login_required
def home(request):
    actor = practitioner_actor(request)
    return render(request, "care/pro_home.html", {"w": workspace.for_practitioner(actor)})


@login_required
def team_new(request, patient_id: int):
    actor = practitioner_actor(request)
    try:
        colleagues = messaging.team_colleagues(actor, patient_id)
    except NotFound:
        raise Http404() from None
    about = (
        Patient.objects.filter(pk=patient_id).values_list("owner__display_name", flat=True).first()
    )
    form = TeamForm(request.POST or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            conv = messaging.start_team(
                actor, patient_id, cd["colleague"], cd["subject"], cd["text"]
            )
        except NotFound:
            raise Http404() from None
        except messaging.MessageRefused:
            form.add_error(
                None, _("The message could not be sent. Check what you wrote and try again.")
            )
        else:
            messages.success(request, _("Your message is sent."))
            return redirect("care:conversation", conversation_id=conv.pk)
    return render(
        request,
        "care/pro_team_new.html",
        {"form": form, "colleagues": colleagues, "about": about or ""},
        status=400 if form.errors else 200,
    )
