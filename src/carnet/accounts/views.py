"""The account page: profile, security, API keys, closing the account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carnet.access.services import Actor, NotFound, Purpose
from carnet.records.erasure import erase_patient

from . import language, services
from . import sessions as open_sessions
from .forms import CloseAccountForm, ProfileForm, TokenForm
from .models import AccessToken
from .reauth import confirm_identity


def _tokens(user):
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def _account_page(request, *, profile_form=None, token_form=None, status=200):
    return render(
        request,
        "accounts/account.html",
        {
            "profile_form": profile_form or ProfileForm(instance=request.user),
            "token_form": token_form or TokenForm(),
            "tokens": _tokens(request.user),
            "has_record": services.patient_of(request.user) is not None,
            "sessions": open_sessions.open_sessions(request),
        },
        status=status,
    )


@login_required
def account(request):
    return _account_page(request)


@login_required
@require_POST
def profile(request):
    form = ProfileForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _account_page(request, profile_form=form, status=400)
    user = form.save()
    # Show the pages in the chosen language from now on (Django reads it from this cookie).
    translation.activate(user.language)
    messages.success(request, _("Your profile is saved."))
    response = redirect("accounts:account")
    language.set_cookie(response, user.language)
    return response


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, token_form=form, status=400)
    token, raw = services.create_token(request.user, form.cleaned_data["name"])
    # The raw value is shown in this response only: it is never stored, in the session or
    # anywhere else, so it cannot be shown again.
    return render(request, "accounts/token_created.html", {"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    if not services.revoke_token(request.user, token_id):
        raise Http404()
    messages.success(request, _("The key is revoked: it no longer opens your record."))
    return redirect("accounts:account")


@login_required
@require_POST
def session_revoke(request, session_id: str):
    closed = open_sessions.revoke(request, session_id)
    if closed is None:
        # That was this very session: the person is signed out.
        return redirect("account_login")
    if not closed:
        raise Http404()
    messages.success(request, _("That session is closed: it must sign in again."))
    return redirect("accounts:account")


@login_required
@require_POST
def session_revoke_others(request):
    open_sessions.revoke_others(request)
    messages.success(request, _("Every other session is closed."))
    return redirect("accounts:account")


@login_required
def close_account(request):
    patient = services.patient_of(request.user)
    if patient is None:
        return render(request, "accounts/close_no_record.html")
    return _close_record(request, patient)


@confirm_identity
def _close_record(request, patient):
    """Explained, confirmed by a typed word, after the person confirmed who they are."""
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_patient(Actor.of_user(request.user), patient.pk, Purpose.SELF)
        except NotFound:
            raise Http404() from None
        # The account row is gone now; end the session and forget every trace of it.
        logout(request)
        return redirect("goodbye")
    return render(
        request,
        "accounts/close.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
