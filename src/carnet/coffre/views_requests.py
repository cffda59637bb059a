"""Access on request: the person answers; the practitioner asks and follows their requests.

A practitioner's page never says whether someone was found: the answer to "send" is the
same sentence for every address or code, and their list shows only "waiting",
"accepted", "closed" or "withdrawn" (see ``requests``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from carnet.access import grants, requests
from carnet.access.services import Actor, NotFound
from carnet.accounts.models import User
from carnet.accounts.reauth import confirm_identity
from carnet.reminders import services as reminders

from .views_sharing import (
    DURATION_CHOICES,
    LEVEL_CHOICES,
    ScopeForm,
    actor_and_record,
    category_words,
)

REFUSALS = {
    "practitioner": gettext_lazy(
        "Only health professionals listed in the national directory can ask for access."
    ),
    "reason": gettext_lazy("Say why you need access: the person reads it before answering."),
    "email": gettext_lazy("This email address looks incomplete. Check it, or use the share code."),
    "target": gettext_lazy(
        "Type the person's email address, or the 8-character share code they gave you "
        "(for example K7P4-M2QX)."
    ),
    "scope": gettext_lazy("Choose at least one kind of item and a duration."),
    "too_many": gettext_lazy(
        "You have sent many requests today. Try again tomorrow, or ask the person to share "
        "with you from their own Carnet."
    ),
    "busy": gettext_lazy("The request could not be sent. Try again in a moment."),
}


class AskForm(forms.Form):
    target = forms.CharField(
        label=gettext_lazy("The person's email address or share code"),
        max_length=254,
        help_text=gettext_lazy(
            "Ask the person: they can make a share code in Carnet, on their sharing page."
        ),
        error_messages={"required": gettext_lazy("Type an email address or a share code.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Why you need access"),
        max_length=requests.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The person reads this before answering. Keep it short."),
        error_messages={"required": REFUSALS["reason"]},
    )
    categories = ScopeForm.base_fields["categories"]
    max_level = ScopeForm.base_fields["max_level"]
    mode = ScopeForm.base_fields["mode"]
    duration = ScopeForm.base_fields["duration"]


def _practitioner_actor(request) -> Actor:
    if request.user.role != "practitioner":
        raise Http404()
    return Actor.of_user(request.user)


# --- the person -----------------------------------------------------------------------------


def existing_words(existing) -> dict | None:
    """What a practitioner already sees, in the words of the sharing page."""
    if existing is None:
        return None
    return {
        "referent": existing.referent,
        "categories": category_words(existing.categories),
        "level": dict(LEVEL_CHOICES).get(existing.max_level, ""),
        "writes": existing.mode == "write",
        "expires_at": existing.expires_at,
    }


def _detail(request, info, form, status=200, how=requests.WIDEN):
    return render(
        request,
        "coffre/request_detail.html",
        {
            "r": info,
            "categories": category_words(info.categories),
            "level": dict(LEVEL_CHOICES).get(info.max_level, ""),
            "duration": dict(DURATION_CHOICES).get(info.duration, ""),
            "existing": existing_words(info.existing),
            "how": how,
            "form": form,
        },
        status=status,
    )


@login_required
def request_detail(request, request_id: int):
    """One request: who asks (name, RPPS, profession, organisation), why, for what; answer."""
    actor, patient_id = actor_and_record(request)
    try:
        info = requests.get_pending(actor, patient_id, request_id)
    except (NotFound, requests.RequestClosed):
        return render(request, "coffre/request_closed.html", status=404)
    form = ScopeForm(
        initial={
            "categories": sorted(info.categories),
            "max_level": info.max_level,
            "mode": info.mode,
            "duration": info.duration,
        }
    )
    return _detail(request, info, form)


@login_required
@require_POST
@confirm_identity
def request_approve(request, request_id: int):
    """Accept: with no fields, as asked (one tap); with fields, what the person chose."""
    actor, patient_id = actor_and_record(request)
    how = request.POST.get("how", requests.WIDEN)
    if how not in requests.HOW:
        how = requests.WIDEN  # never narrow on a value we do not know
    choices = {"how": how}
    if "categories" in request.POST:
        form = ScopeForm(request.POST)
        if not form.is_valid():
            try:
                info = requests.get_pending(actor, patient_id, request_id)
            except (NotFound, requests.RequestClosed):
                return render(request, "coffre/request_closed.html", status=404)
            return _detail(request, info, form, status=400, how=how)
        choices.update(form.cleaned_data)
    try:
        before = requests.get_pending(actor, patient_id, request_id).existing
    except (NotFound, requests.RequestClosed):
        before = None
    try:
        grant = requests.approve(actor, patient_id, request_id, **choices)
    except requests.RequestClosed:
        return render(request, "coffre/request_closed.html", status=409)
    except NotFound:
        raise Http404() from None
    except grants.GrantRefused:
        messages.error(
            request, _("This access cannot be given: the professional's account is closed.")
        )
        return redirect("coffre:sharing")
    who = User.objects.filter(pk=grant.grantee_id).first()
    if before is not None and (before.referent or how == requests.KEEP):
        text = _("Answered. %(name)s keeps the access they already had, nothing more.")
    elif before is not None and how == requests.WIDEN:
        text = _(
            "Accepted. %(name)s keeps what they could already see, and can now also see what "
            "you chose, until the date shown below."
        )
    else:
        text = _("Accepted. %(name)s can see what you chose, until the date shown below.")
    messages.success(request, text % {"name": who})
    return redirect("coffre:sharing")


@login_required
@require_POST
def request_refuse(request, request_id: int):
    actor, patient_id = actor_and_record(request)
    try:
        requests.refuse(actor, patient_id, request_id)
    except requests.RequestClosed:
        return render(request, "coffre/request_closed.html", status=409)
    except NotFound:
        raise Http404() from None
    messages.success(
        request,
        _("Refused. They see nothing of your record, and Carnet does not tell them you refused."),
    )
    return redirect("coffre:sharing")


# --- the practitioner -----------------------------------------------------------------------


def _pro_page(request, actor, form, status=200):
    sent = requests.sent_by(actor)
    return render(
        request,
        "coffre/request_pro.html",
        {
            "form": form,
            "sent": [{"r": r, "categories": category_words(r.categories)} for r in sent],
            "durations": dict(DURATION_CHOICES),
        },
        status=status,
    )


@login_required
def pro_requests(request):
    """GET: my requests and the form to ask; POST: ask (the same answer for everyone)."""
    actor = _practitioner_actor(request)
    if request.method != "POST":
        return _pro_page(
            request,
            actor,
            AskForm(initial={"max_level": "N", "mode": "read", "duration": "month"}),
        )
    form = AskForm(request.POST)
    if not form.is_valid():
        return _pro_page(request, actor, form, status=400)
    data = form.cleaned_data
    try:
        requests.ask(
            actor,
            target=data["target"],
            reason=data["reason"],
            categories=data["categories"],
            max_level=data["max_level"],
            mode=data["mode"],
            duration=data["duration"],
        )
    except requests.RequestRefused as exc:
        key = str(exc)
        field = {"email": "target", "target": "target", "reason": "reason"}.get(key)
        form.add_error(field, REFUSALS.get(key, REFUSALS["busy"]))
        return _pro_page(request, actor, form, status=400)
    messages.success(
        request,
        _(
            "Request sent. If this address or code belongs to someone who uses Carnet, they "
            "are asked now. You will see here if they accept within 2 days."
        ),
    )
    return redirect("coffre:pro_requests")


@login_required
@require_POST
def pro_request_withdraw(request, request_id: int):
    actor = _practitioner_actor(request)
    if not requests.withdraw(actor, request_id):
        raise Http404()
    messages.success(request, _("Request withdrawn."))
    return redirect("coffre:pro_requests")


@login_required
def pro_patients(request):
    """The records shared with me, with what and until when."""
    actor = _practitioner_actor(request)
    shared = requests.shared_with(actor)
    adherence = reminders.adherence_shared_among(s.patient_id for s in shared)
    rows = [
        {
            "s": s,
            "categories": category_words(s.categories),
            "adherence": s.patient_id in adherence,
        }
        for s in shared
    ]
    return render(request, "coffre/request_patients.html", {"rows": rows})
