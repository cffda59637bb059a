"""Proxy pages: give a relative access, the spaces I manage, acting for someone, a child.

The person gives a relative (with a Carnet account) access to their space: what they may
do, on what legal basis, until when; and takes it back. The relative then switches to
"acting for" that person (``acting``): a banner says so on every page, and every read
goes through ``access`` with purpose ``proxy``. Parents add their minor child's record
and manage it the same way.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from carnet.access import acting, proxies
from carnet.access.masks import years_before
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.reauth import confirm_identity
from carnet.records import services as records
from carnet.records import words

from . import relatives
from .views_emergency import _own_patient_id
from .views_proxy_labels import BASIS_LABELS, PERMISSION_LABELS


class ProxyForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address of your relative's Carnet account"),
        help_text=gettext_lazy("Your relative needs their own Carnet account."),
        error_messages={
            "required": gettext_lazy("Write your relative's email address."),
            "invalid": gettext_lazy("Write a full email address, like marie@example.org."),
        },
    )
    permissions = forms.MultipleChoiceField(
        label=gettext_lazy("What they may do for you"),
        choices=[(k, PERMISSION_LABELS[k]) for k in ("read", "appointments", "messages")],
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
        error_messages={"required": gettext_lazy("Tick at least one thing they may do.")},
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("Why"),
        choices=[(k, BASIS_LABELS[k]) for k in ("choice", "mandate", "court")],
        widget=forms.RadioSelect,
        initial="choice",
    )
    until = forms.DateField(
        label=gettext_lazy("Until (optional)"),
        required=False,
        help_text=gettext_lazy("Leave empty to keep it until you take it back."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Write a date, like 31/12/2026.")},
    )
    sensitive = forms.BooleanField(
        label=gettext_lazy("Also show sensitive information (mental health, sexual health…)"),
        required=False,
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is not None and until < timezone.localdate():
            raise forms.ValidationError(
                _("Choose a date from today on, or leave it empty."), code="past"
            )
        return until


def _end_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _display(info: proxies.ProxyInfo) -> dict:
    return {
        "id": info.id,
        "proxy": info.proxy,
        "permissions": [
            str(PERMISSION_LABELS[p]) for p in PERMISSION_LABELS if p in info.permissions
        ],
        "basis": str(BASIS_LABELS.get(info.basis, info.basis)),
        "revocable": info.basis == "choice",
        "sensitive": info.max_level != "N",
        "created_at": info.created_at,
        "expires_at": info.expires_at,
        "revoked_at": info.revoked_at,
        "live": info.live,
    }


def _gives_sensitive(request) -> bool:
    """Giving a relative access to sensitive information too asks the person to confirm who
    they are, as un-hiding an item does: the same risk, the same confirmation."""
    return request.method == "POST" and bool(request.POST.get("sensitive"))


@login_required
@require_http_methods(["GET", "POST"])
@confirm_identity(when=_gives_sensitive)
def proxies_page(request):
    """The person's proxies: who may act for them, and a form to add one."""
    patient_id = _own_patient_id(request, "manage")
    actor = Actor.of_user(request.user)
    form = ProxyForm(request.POST or None)
    try:
        if patient_id is None:
            raise NotFound()
        if request.method == "POST" and form.is_valid():
            if _add(request, actor, patient_id, form):
                return redirect("coffre:proxies")
        every = proxies.list_proxies(actor, patient_id, include_past=True)
    except NotFound:
        return render(request, "coffre/emergency_no_record.html", status=404)
    return render(
        request,
        "coffre/proxy_list.html",
        {
            "form": form,
            "live": [_display(p) for p in every if p.live],
            "past": [_display(p) for p in every if not p.live][:20],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _add(request, actor: Actor, patient_id: int, form: ProxyForm) -> bool:
    data = form.cleaned_data
    owner_patient = accounts.patient_for_email(data["email"])
    who = owner_patient.owner if owner_patient else None
    if who is None or who.role != "citizen" or not who.is_active:
        form.add_error(
            "email",
            _(
                "No Carnet account uses this address. Check it with your relative, or ask "
                "them to create their account first."
            ),
        )
        return False
    if who.pk == request.user.pk:
        form.add_error("email", _("This is your own address: write your relative's."))
        return False
    try:
        proxies.add_proxy(
            actor,
            patient_id,
            who.pk,
            permissions=data["permissions"],
            basis=data["basis"],
            until=_end_of(data["until"]),
            max_level="R" if data["sensitive"] else "N",
        )
    except proxies.ProxyRefused:
        form.add_error(None, _("This access could not be given. Check the form and try again."))
        return False
    messages.success(
        request,
        _("%(name)s can now act for you. You can take it back at any time on this page.")
        % {"name": who},
    )
    return True


@login_required
@require_POST
def proxy_revoke(request, proxy_id: int):
    patient_id = _own_patient_id(request, "manage")
    try:
        if patient_id is None:
            raise NotFound()
        done = proxies.revoke_proxy(Actor.of_user(request.user), patient_id, proxy_id)
    except NotFound:
        return render(request, "coffre/emergency_no_record.html", status=404)
    if done:
        messages.success(request, _("Done: this person can no longer act for you."))
    else:
        messages.error(
            request,
            _(
                "This access rests on a legal decision (mandate, court, parental authority): "
                "it ends by that decision, not here. Send the new decision to Carnet's help "
                "desk or to a public help point."
            ),
        )
    return redirect("coffre:proxies")


@login_required
def spaces(request):
    """« Mes proches »: the people I may act for now (relatives, my children), and the
    accesses I lost lately, said plainly (« Henri a mis fin à votre accès le … »)."""
    return render(
        request,
        "coffre/proxy_spaces.html",
        {"rows": relatives.live(request.user), "ended": relatives.ended(request.user)},
    )


@login_required
@require_POST
def act_for(request, patient_id: int):
    """Switch to acting for a person (checked again on every request)."""
    info = next(
        (p for p in proxies.represented_by(request.user) if p.patient_id == patient_id), None
    )
    if info is None:
        acting.stop(request)
        lost = next(
            (e for e in proxies.ended_for(request.user) if e.patient_id == patient_id), None
        )
        messages.error(
            request, proxies.ended_sentence(lost) if lost else proxies.no_longer_sentence()
        )
        return redirect("coffre:spaces")
    acting.start(request, patient_id, records.represented_name(request.user, info))
    acting.forget(request)
    return redirect(ACT_FOR_PAGES.get(request.POST.get("then", ""), "coffre:proxy_record"))


# Where « Act for » may lead (a reminder sent to a parent opens the child's reminders).
ACT_FOR_PAGES = {"reminders": "reminders:index"}


@login_required
@require_POST
def act_stop(request):
    acting.stop(request)
    acting.forget(request)
    messages.success(request, _("You are back in your own space."))
    return redirect("home")


@login_required
def proxy_record(request):
    """The record of the person I act for, in plain words (as much as they let me read)."""
    found = acting.whose(request)
    if found is None or not found.acting:
        if getattr(request, "_carnet_ended_told", False):
            return redirect("coffre:spaces")  # acting.current has just said why
        messages.error(
            request,
            _("You are not acting for anyone now. Choose a person below, if you may."),
        )
        return redirect("coffre:spaces")
    pid = found.patient_id
    info = next((p for p in proxies.represented_by(request.user) if p.patient_id == pid), None)
    try:
        resources = records.everything(found.actor, pid, found.purpose)
    except NotFound:
        resources = None
    minor_15 = False
    if info is not None and info.basis == "parent" and info.expires_at:
        minor_15 = years_before(info.expires_at, 3) <= timezone.now()
    return render(
        request,
        "coffre/proxy_record.html",
        {
            "name": found.name,
            "record": words.readable(resources) if resources is not None else None,
            "permissions": [
                str(PERMISSION_LABELS[p])
                for p in PERMISSION_LABELS
                if info is not None and p in info.permissions
            ],
            "manages": info is not None and "manage" in info.permissions,
            "minor_15": minor_15,
        },
    )


# --- Parents and their minor children ----------------------------------------------------


class ChildForm(forms.Form):
    given = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=100,
        error_messages={"required": gettext_lazy("Write your child's first name.")},
    )
    family = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=100,
        error_messages={"required": gettext_lazy("Write your child's last name.")},
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("Write your child's date of birth."),
            "invalid": gettext_lazy("Write a date, like 14/03/2015."),
        },
    )
    parent = forms.BooleanField(
        label=gettext_lazy("I am this child's parent and I hold parental authority"),
        error_messages={
            "required": gettext_lazy("Tick this box: only a parent can add a child's record.")
        },
    )

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        now = timezone.now()
        ends = proxies.majority(born)
        if born > timezone.localdate() or not (years_before(ends, 18) <= now < ends):
            raise forms.ValidationError(
                _("A child's record is for a minor: check the date of birth (under 18 years)."),
                code="not_minor",
            )
        return born


@login_required
@require_http_methods(["GET", "POST"])
def child_add(request):
    if request.user.role != "citizen":
        return render(request, "coffre/emergency_not_practitioner.html", status=403)
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                child = proxies.add_child(request.user, data["birth_date"])
                records.create(
                    Actor.of_user(request.user),
                    child.pk,
                    {
                        "resourceType": "Patient",
                        "name": [
                            {
                                "use": "official",
                                "family": data["family"].strip(),
                                "given": [data["given"].strip()],
                            }
                        ],
                        "birthDate": data["birth_date"].isoformat(),
                    },
                    Purpose.PROXY,
                )
        except (proxies.ProxyRefused, NotFound):
            form.add_error(None, _("The record could not be created. Check the form and retry."))
        else:
            messages.success(
                request,
                _("%(name)s's record is ready. Choose “Act for” to open it.")
                % {"name": data["given"].strip()},
            )
            return redirect("coffre:spaces")
    return render(
        request,
        "coffre/child_add.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
