"""The advisor's side, at the desk: open a help session with the person's code, do what the
person chose (read, import, reminders, share), end it; make an account for a person with no
email or phone and print their letter; sign out of the kiosk."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from carnet.access import assistance, grants
from carnet.access.services import NotFound, Purpose
from carnet.accounts.models import User
from carnet.records import imports
from carnet.records import services as records
from carnet.reminders import services as reminders

from . import desk_accounts, kiosk, services
from .banner import scope_list
from .forms import (
    CodeForm,
    DeskAccountForm,
    ImportForm,
    PhoneForm,
    RecoverForm,
    ReminderForm,
    ScopesForm,
    ShareForm,
)

CHECKED = "carnet_desk_checked"  # a paper or SMS code checked: its row id, never the code
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _point(request):
    point = services.desk_of(request.user)
    if point is None:
        raise Http404()
    return point


def _refusal(reason: str) -> str:
    return {
        "locked": _("Too many wrong codes at this desk: wait %(minutes)s minutes, then try again.")
        % {"minutes": services.LOCK_MINUTES},
        "phone": _("This is not a mobile number. Write it like 06 12 34 56 78."),
        "sms_limit": _("Too many codes sent by SMS: wait a little, or use a paper code."),
        "letter": _(
            "This identifier and recovery code do not go together, or the code was already "
            "used. Check the letter and try another code."
        ),
    }.get(
        reason,
        _(
            "This code does not work: it is wrong, already used or too old. Ask the person to "
            "make a new one."
        ),
    )


def _desk(request, point, *, code_form=None, phone_form=None, error="", status=200):
    checked = request.session.get(CHECKED)
    return render(
        request,
        "helppoint/desk.html",
        {
            "point": point,
            "code_form": code_form or CodeForm(),
            "phone_form": phone_form or PhoneForm(),
            "choice_form": ScopesForm() if checked else None,
            "checked_name": services.person_name(checked["patient_id"]) if checked else "",
            "live": assistance.live_for_advisor(request.user.pk),
            "error": error,
        },
        status=status,
    )


@login_required
def desk(request):
    return _desk(request, _point(request))


@login_required
@require_POST
def code(request):
    point = _point(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _desk(request, point, code_form=form, status=400)
    try:
        found = services.redeem(request.user, form.cleaned_data["code"])
    except services.Refused as refused:
        status = 429 if refused.reason == "locked" else 400
        return _desk(
            request, point, code_form=CodeForm(), error=_refusal(refused.reason), status=status
        )
    if isinstance(found, services.Checked):
        request.session[CHECKED] = {
            "code_id": found.code_id,
            "patient_id": found.patient_id,
            "chosen_on": found.chosen_on,
        }
        return redirect("helppoint:desk")
    request.session.pop(CHECKED, None)
    return redirect("helppoint:assist")


@login_required
@require_POST
def choose(request):
    """After a paper or SMS code: what the person chooses, on the advisor's screen."""
    point = _point(request)
    checked = request.session.get(CHECKED)
    if not checked:
        return redirect("helppoint:desk")
    form = ScopesForm(request.POST)
    if not form.is_valid():
        response = _desk(request, point, status=400)
        return response
    try:
        services.open_checked(
            request.user,
            services.Checked(checked["code_id"], checked["patient_id"], checked["chosen_on"]),
            form.cleaned_data["scopes"],
        )
    except services.Refused as refused:
        request.session.pop(CHECKED, None)
        return _desk(request, point, error=_refusal(refused.reason), status=400)
    request.session.pop(CHECKED, None)
    return redirect("helppoint:assist")


@login_required
@require_POST
def sms_code(request):
    point = _point(request)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _desk(request, point, phone_form=form, status=400)
    try:
        services.send_sms_code(request.user, form.cleaned_data["phone"])
    except services.Refused as refused:
        return _desk(request, point, error=_refusal(refused.reason), status=400)
    messages.info(
        request,
        _(
            "If this number is the person's in Carnet, they have received a code by SMS: type it "
            "below."
        ),
    )
    return redirect("helppoint:desk")


def _live(request):
    _point(request)
    return assistance.live_for_advisor(request.user.pk)


def _assist_page(request, live, *, status=200, **forms):
    request.session["carnet_desk_last"] = live.patient_id  # to ask again once it has ended
    counts = None
    if live.may("read"):
        try:
            counts = records.count_by_type(live.actor(), live.patient_id, Purpose.ASSISTANCE)
        except NotFound:
            counts = None
    return render(
        request,
        "helppoint/assist.html",
        {
            "live": live,
            "name": services.person_name(live.patient_id),
            "scopes": scope_list(live.scopes),
            "counts": counts,
            "reminder_form": forms.get("reminder_form") or ReminderForm(),
            "share_form": forms.get("share_form") or ShareForm(),
            "import_form": forms.get("import_form") or ImportForm(),
        },
        status=status,
    )


def _over(request):
    """The session ended (by the person, or in time) or never allowed this: refused."""
    return render(request, "helppoint/refused.html", status=403)


@login_required
def assist(request):
    live = _live(request)
    if live is None:
        return redirect("helppoint:desk")
    return _assist_page(request, live)


@login_required
@require_POST
def reminder(request):
    """A reminder set for the person, in their agenda, decided by the policy (scope
    « reminders ») and written in their history « in your presence »."""
    live = _live(request)
    # A session that ended (by the person, in time) still asks the policy, so that the
    # refusal is in the person's history too.
    actor = live.actor() if live else services.desk_actor(request.user)
    patient_id = live.patient_id if live else request.session.get("carnet_desk_last")
    form = ReminderForm(request.POST)
    if live is not None and not form.is_valid():
        return _assist_page(request, live, reminder_form=form, status=400)
    if patient_id is None or not form.is_valid():
        return _over(request)
    starts = timezone.make_aware(
        datetime.combine(form.cleaned_data["day"], form.cleaned_data["at"])
    )
    try:
        reminders.add_entry(actor, int(patient_id), starts, form.cleaned_data["title"])
    except NotFound:
        return _over(request)
    messages.success(request, _("The reminder is in the person's agenda."))
    return redirect("helppoint:assist")


@login_required
@require_POST
def share(request):
    live = _live(request)
    if live is None:
        return _over(request)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _assist_page(request, live, share_form=form, status=400)
    doctor = User.objects.filter(role="practitioner", rpps=form.cleaned_data["rpps"]).first()
    if doctor is None:
        form.add_error("rpps", _("No health professional with this number uses Carnet."))
        return _assist_page(request, live, share_form=form, status=400)
    try:
        grants.share(
            live.actor(),
            live.patient_id,
            doctor.pk,
            categories=form.cleaned_data["categories"],
            max_level="N",
            duration=form.cleaned_data["duration"],
        )
    except NotFound:
        return _over(request)
    except grants.GrantRefused:
        form.add_error(None, _("This sharing could not be made."))
        return _assist_page(request, live, share_form=form, status=400)
    messages.success(request, _("%(name)s can now see what the person chose.") % {"name": doctor})
    return redirect("helppoint:assist")


@login_required
@require_POST
def import_file(request):
    """A file from the person's USB key or phone, read in memory: nothing stays on the desk."""
    live = _live(request)
    if live is None:
        return _over(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _assist_page(request, live, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_IMPORT_BYTES:
        form.add_error("file", _("This file is too large (20 MB at most)."))
        return _assist_page(request, live, import_form=form, status=400)
    try:
        result = imports.import_bundle(
            live.actor(),
            upload.read(),
            patient_id=live.patient_id,
            filename=upload.name,
            purpose=Purpose.ASSISTANCE,
        )
    except NotFound:
        return _over(request)
    except imports.ImportRefused:  # the file is refused whole; nothing was written
        form.add_error("file", _("Carnet could not read this file: nothing was imported."))
        return _assist_page(request, live, import_form=form, status=400)
    n = getattr(result, "created", None) or getattr(result, "count", 0)
    messages.success(request, _("The file is imported (%(n)s items).") % {"n": n})
    return redirect("helppoint:assist")


@login_required
@require_POST
def end(request):
    _point(request)
    live = assistance.live_for_advisor(request.user.pk)
    if live is not None:
        request.session["carnet_desk_last"] = live.patient_id
    assistance.end_all_of(request.user.pk, by="advisor")
    messages.success(request, _("The help session has ended."))
    return redirect("helppoint:desk")


@login_required
@require_http_methods(["GET", "POST"])
def new_account(request):
    point = _point(request)
    if request.method == "GET":
        return render(
            request, "helppoint/account_new.html", {"form": DeskAccountForm(), "point": point}
        )
    form = DeskAccountForm(request.POST)
    if not form.is_valid():
        return render(
            request, "helppoint/account_new.html", {"form": form, "point": point}, status=400
        )
    try:
        letter = desk_accounts.create(
            request.user,
            form.cleaned_data["name"],
            form.cleaned_data["birth_date"],
            form.cleaned_data["language"],
        )
    except desk_accounts.Invalid as exc:
        field = str(exc) if str(exc) in ("name", "birth_date") else None
        form.add_error(field, _("Check this: it cannot be used."))
        return render(
            request, "helppoint/account_new.html", {"form": form, "point": point}, status=400
        )
    # The letter, in the person's language, shown once in this answer (never kept in clear).
    with translation.override(letter.language):
        return render(request, "helppoint/letter.html", {"letter": letter})


@login_required
@require_http_methods(["GET", "POST"])
def recover(request):
    """A person with a desk account forgot their password: their letter's identifier and one
    of its recovery codes, then a new first password (shown once, in their language)."""
    point = _point(request)
    form = RecoverForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request, "helppoint/recover.html", {"form": form, "point": point}, status=status
        )
    try:
        new = desk_accounts.reset(
            request.user, form.cleaned_data["identifier"], form.cleaned_data["code"]
        )
    except desk_accounts.Invalid as exc:
        form.add_error(None, _refusal("locked" if str(exc) == "locked" else "letter"))
        status = 429 if str(exc) == "locked" else 400
        return render(
            request, "helppoint/recover.html", {"form": form, "point": point}, status=status
        )
    with translation.override(new.language):
        return render(request, "helppoint/new_password.html", {"new": new})


@require_POST
def sign_out(request):
    """The kiosk's « Se déconnecter »: ends the help session, clears the site."""
    return kiosk.signed_out_response(request)
