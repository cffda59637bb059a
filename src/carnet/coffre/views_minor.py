"""A minor of 15 or more gets a login of their own on the record their parent created.

A parent (from their child's card) or a practitioner the record is shared with (from the
record's page) invites the young person by email; the young person opens the one-time
link, chooses a password, and from then on signs in to their own record (``minors``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from carnet.access import minors
from carnet.access.services import Actor, NotFound
from carnet.accounts import phones
from carnet.accounts import services as accounts


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("The young person's own email address"),
        help_text=gettext_lazy(
            "They will sign in with it. Use their address, not a parent's: the link lets "
            "them choose their password."
        ),
        error_messages={
            "required": gettext_lazy("Write the young person's email address."),
            "invalid": gettext_lazy("Write a full email address, like lina@example.org."),
        },
    )
    phone = forms.CharField(
        label=gettext_lazy("Their mobile number (optional)"),
        help_text=gettext_lazy("The link is also sent by SMS, for example 06 12 34 56 78."),
        max_length=30,
        required=False,
    )

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "").strip()
        return phones.normalise(value) if value else ""


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, patient_id: int):
    """Invite the minor of a record to a login of their own (a parent, or their doctor)."""
    actor = Actor.of_user(request.user)
    if minors.may_invite(actor, patient_id) is None:
        return render(request, "coffre/minor_invite_unavailable.html", status=404)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            minors.invite(actor, patient_id, form.cleaned_data["email"], form.cleaned_data["phone"])
        except minors.InviteRefused:
            form.add_error(
                "email",
                _("This address already signs in to Carnet: write another one."),
            )
        except NotFound:
            return render(request, "coffre/minor_invite_unavailable.html", status=404)
        else:
            messages.success(
                request,
                _(
                    "The invitation is sent. The link works once, for %(days)d days. "
                    "The young person then signs in to their own record."
                )
                % {"days": minors.LIFETIME.days},
            )
            back = "coffre:spaces" if request.user.role == "citizen" else "coffre:pro_patients"
            return redirect(back)
    return render(
        request,
        "coffre/minor_invite.html",
        {"form": form, "patient_id": patient_id},
        status=400 if form.is_bound and form.errors else 200,
    )


class AcceptForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("As you want Carnet to call you (optional)."),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Choose a password.")},
    )
    password2 = forms.CharField(
        label=gettext_lazy("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Write the same password again.")},
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            try:
                validate_password(one)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """The young person opens the link, chooses a password, and is signed in to their record."""
    try:
        invitation = minors.invitation(token)
    except NotFound:
        return render(request, "coffre/minor_invite_over.html", status=404)
    if request.user.is_authenticated:
        return render(request, "coffre/minor_invite_signed_in.html", status=409)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = minors.accept(token, form.cleaned_data["password1"], form.cleaned_data["name"])
        except NotFound:
            return render(request, "coffre/minor_invite_over.html", status=404)
        except accounts.AddressTaken:
            form.add_error(None, _("This address already signs in to Carnet: sign in instead."))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to your own record."))
            return redirect("home")
    return render(
        request,
        "coffre/minor_accept.html",
        {"form": form, "email": invitation.email},
        status=400 if form.is_bound and form.errors else 200,
    )
