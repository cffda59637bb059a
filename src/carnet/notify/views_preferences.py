"""The notifications page: how, in which language, when and how often a person is told.

Every view edits ``request.user``'s own preferences and nothing else: there is no id in
any of these URLs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import preferences as rules
from . import services
from .forms import CodeForm, PhoneForm, PreferencesForm
from .models import PushSubscription


def _initial(user, prefs) -> dict:
    return {
        "email": prefs.email,
        "sms": prefs.sms,
        "language": services.language_for(user, prefs),
        "quiet_start": prefs.quiet_start,
        "quiet_end": prefs.quiet_end,
        "frequency": prefs.frequency,
        "digest_hour": prefs.digest_hour,
    }


def _page(request, *, form=None, phone_form=None, code_form=None, status=200):
    user = request.user
    prefs = services.preferences(user)
    check = rules.pending(user, request.session)
    return render(
        request,
        "notify/preferences.html",
        {
            "prefs": prefs,
            "form": form
            or PreferencesForm(initial=_initial(user, prefs), has_phone=bool(prefs.phone)),
            "phone_form": phone_form or PhoneForm(initial={"phone": check.phone if check else ""}),
            "code_form": code_form or CodeForm(),
            "check": check,
            "usable_email": bool(user.email) and not user.email.endswith(".invalid"),
            "push_devices": PushSubscription.objects.filter(user_id=user.pk).count(),
            "push_configured": bool(settings.CARNET_WEBPUSH_KEY_FILE),
        },
        status=status,
    )


def _back(anchor: str = ""):
    return redirect(reverse("notify:preferences") + (f"#{anchor}" if anchor else ""))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method != "POST":
        return _page(request)
    prefs = services.preferences(request.user)
    form = PreferencesForm(
        request.POST, initial=_initial(request.user, prefs), has_phone=bool(prefs.phone)
    )
    if form.is_valid():
        try:
            rules.save_choices(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    messages.success(request, _("Your choices are saved."))
    return _back()


@login_required
@require_POST
def phone_send(request):
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            check = rules.start_phone_check(
                request.user, request.session, form.cleaned_data["phone"]
            )
        except ValidationError as exc:
            form.add_error("phone", exc.messages)
    if not form.is_valid():
        return _page(request, phone_form=form, status=400)
    messages.success(
        request,
        _("We sent a code by SMS to %(phone)s. Type it below to turn SMS on.")
        % {"phone": check.phone},
    )
    return _back("sms-code")


@login_required
@require_POST
def phone_confirm(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            rules.confirm_phone(request.user, request.session, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.messages)
    if not form.is_valid():
        return _page(request, code_form=form, status=400)
    messages.success(request, _("Your number is confirmed: you will now get SMS."))
    return _back("sms")


@login_required
@require_POST
def phone_remove(request):
    rules.cancel_phone_check(request.session)
    rules.remove_phone(request.user)
    messages.success(request, _("Your number is removed: you will not get SMS any more."))
    return _back("sms")


@login_required
@require_POST
def push_switch(request):
    on = request.POST.get("push") == "on"
    try:
        rules.set_push(request.user, on)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back("push")
    if on:
        messages.success(request, _("Web Push is on: this device will show your notifications."))
    else:
        messages.success(request, _("Web Push is off."))
    return _back("push")
