"""Messaging pages: the person's conversations, a thread (either side), the practitioner's side."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.access.services import Actor, NotFound

from . import messaging
from .views_renewals import person_and_record, practitioner_actor


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=messaging.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write your message, then send it.")},
    )
    attachments = forms.MultipleChoiceField(
        label=gettext_lazy("Attach from your record"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"{i.resource_type}/{i.id}", i.title) for i in items]
        if choices:
            self.fields["attachments"].choices = choices
        else:
            del self.fields["attachments"]


class StartForm(ReplyForm):
    practitioner = forms.TypedChoiceField(
        label=gettext_lazy("To"),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose who to write to.")},
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=messaging.MAX_SUBJECT,
        error_messages={
            "required": gettext_lazy("Give a short subject, for example 'Blood test results'.")
        },
    )
    field_order = ["practitioner", "subject", "text", "attachments"]

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [
            (p.user_id, f"{p.name} ({p.profession})" if p.profession else p.name) for p in people
        ]


class HabitForm(forms.Form):
    answers_when = forms.CharField(
        label=gettext_lazy("When you read and answer messages"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: weekdays, at the end of the morning."),
    )
    within_days = forms.IntegerField(
        label=gettext_lazy("You answer within (days)"),
        min_value=0,
        max_value=30,
        error_messages={"required": gettext_lazy("Give a number of days between 0 and 30.")},
    )
    accepts_messages = forms.BooleanField(
        label=gettext_lazy("Patients may write to me"), required=False
    )


@login_required
def person_list(request):
    actor, pid = person_and_record(request, "messages")
    try:
        threads = messaging.for_person(actor, pid)
    except NotFound:
        raise Http404() from None
    return render(request, "care/conversations.html", {"threads": threads, "pro": False})


@login_required
def start(request):
    actor, pid = person_and_record(request, "messages")
    try:
        people = messaging.counterparts(actor, pid)
        items = messaging.attachable(actor, pid)
    except NotFound:
        raise Http404() from None
    chosen = request.GET.get("a", "")
    initial = {"practitioner": int(chosen)} if chosen.isdigit() else {}
    form = StartForm(request.POST or None, people=people, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            conv = messaging.start(
                actor,
                pid,
                cd["practitioner"],
                cd["subject"],
                cd["text"],
                cd.get("attachments") or (),
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
        "care/conversation_new.html",
        {"form": form, "people": people},
        status=400 if form.errors else 200,
    )


@login_required
def thread(request, conversation_id: int):
    actor = Actor.of_user(request.user)
    try:
        found = messaging.open_thread(actor, conversation_id)
        is_pro = request.user.role == "practitioner"
        items = [] if is_pro else messaging.attachable(actor, found.patient_id)
    except NotFound:
        raise Http404() from None
    form = ReplyForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            messaging.reply(
                actor,
                conversation_id,
                form.cleaned_data["text"],
                form.cleaned_data.get("attachments") or (),
            )
        except NotFound:
            raise Http404() from None
        except messaging.MessageRefused:
            form.add_error(
                None, _("The message could not be sent. Check what you wrote and try again.")
            )
        else:
            messages.success(request, _("Your message is sent."))
            return redirect("care:conversation", conversation_id=conversation_id)
    return render(
        request,
        "care/conversation.html",
        {"thread": found, "form": form, "pro": is_pro},
        status=400 if form.errors else 200,
    )


@login_required
def pro_list(request):
    actor = practitioner_actor(request)
    return render(
        request,
        "care/conversations.html",
        {"threads": messaging.for_practitioner(actor), "pro": True},
    )


@login_required
def pro_habit(request):
    actor = practitioner_actor(request)
    habit = messaging.habit_of(actor.user_id)
    form = HabitForm(
        request.POST or None,
        initial={
            "answers_when": habit.answers_when,
            "within_days": habit.within_days,
            "accepts_messages": habit.accepts_messages,
        },
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        messaging.set_habit(
            actor,
            answers_when=cd["answers_when"],
            within_days=cd["within_days"],
            accepts=cd["accepts_messages"],
        )
        messages.success(request, _("Saved. Patients see it before they write to you."))
        return redirect("care:pro_conversations")
    return render(
        request, "care/pro_habit.html", {"form": form}, status=400 if form.errors else 200
    )
