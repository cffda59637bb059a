"""Emergency access pages (bris de glace) and the emergency card.

Practitioner side: state a reason and open a record in an emergency (by the person's
Carnet address or with their emergency card), see the emergency dataset with a banner
and the time left, end the access. Person side: refuse emergency access in advance,
see the emergency accesses to review, print or reset the emergency card.

Views only parse, call ``access.emergency`` / ``records.services`` and render; every
decision, audit entry and notification happens in those services.
"""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from carnet.access import acting, emergency
from carnet.access.models import EmergencyAccess
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import services as records
from carnet.records import words

# --- Practitioner side ----------------------------------------------------------------------


def _practitioner_only(request):
    if not request.user.is_practitioner:
        return render(request, "coffre/emergency_not_practitioner.html", status=403)
    return None


def _live_session(actor: Actor, patient_id: int) -> EmergencyAccess | None:
    # Read-only: the time left of the practitioner's own session, for the banner. The
    # decision to show anything is still taken by ``records.everything`` below.
    return (
        EmergencyAccess.objects.filter(
            patient_id=patient_id,
            practitioner_id=actor.user_id,
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def _clean_reason(request) -> tuple[str, str]:
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        return "", _(
            "Write why you need this record now, for example: "
            "“unconscious after a fall, brought in by the fire brigade”."
        )
    if len(reason) > emergency.MAX_REASON:
        return reason, _("Keep the reason under %(n)s characters.") % {"n": emergency.MAX_REASON}
    return reason, ""


REFUSED = gettext_lazy(
    "This record cannot be opened in an emergency. Check the address, or use the person's "
    "emergency card. A person may also have refused emergency access in advance: then "
    "care for them without their record."
)


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """A practitioner states who and why, and breaks the glass."""
    if (denied := _practitioner_only(request)) is not None:
        return denied
    errors: dict[str, str] = {}
    email = (request.POST.get("email") or "").strip()
    reason = ""
    if request.method == "POST":
        reason, errors["reason"] = _clean_reason(request)
        if not email:
            errors["email"] = _(
                "Write the email address of the person's Carnet account, "
                "or scan their emergency card."
            )
        errors = {k: v for k, v in errors.items() if v}
        if not errors:
            patient = accounts.patient_for_email(email)
            try:
                if patient is None:
                    raise NotFound()
                emergency.break_glass(Actor.of_user(request.user), patient.pk, reason)
            except NotFound:
                errors["form"] = str(REFUSED)
            else:
                return redirect("coffre:emergency_record", patient_id=patient.pk)
    return render(
        request,
        "coffre/emergency_start.html",
        {"errors": errors, "email": email, "reason": reason, "hours": _hours()},
        status=400 if errors else 200,
    )


def _hours() -> int:
    return int(emergency.DURATION.total_seconds() // 3600)


@login_required
def record(request, patient_id: int):
    """The emergency dataset, and only it, while the access lasts."""
    if (denied := _practitioner_only(request)) is not None:
        return denied
    actor = Actor.of_user(request.user)
    session = _live_session(actor, patient_id)
    try:
        if session is None:
            raise NotFound()
        resources = records.everything(actor, patient_id, Purpose.EMERGENCY)
    except NotFound:
        return render(request, "coffre/emergency_over.html", status=404)
    left = session.expires_at - timezone.now()
    minutes = max(0, int(left.total_seconds() // 60))
    return render(
        request,
        "coffre/emergency_record.html",
        {
            "record": words.readable(resources, others=False),
            "session": session,
            "patient_id": patient_id,
            "hours_left": minutes // 60,
            "minutes_left": minutes % 60,
        },
    )


@login_required
@require_POST
def end(request, patient_id: int):
    if (denied := _practitioner_only(request)) is not None:
        return denied
    emergency.end(Actor.of_user(request.user), patient_id)
    messages.success(request, _("The emergency access is closed."))
    return redirect("coffre:emergency")


@require_http_methods(["GET", "POST"])
def card_open(request, token: str):
    """The address in the emergency card's QR code.

    Signed out: what to do (sign in as a health professional, or call 15 / 112); the
    token is not even looked at. A practitioner states a reason and opens the record.
    """
    if not request.user.is_authenticated:
        login = f"{reverse('account_login')}?next={request.path}"
        return render(request, "coffre/card_anonymous.html", {"login_url": login})
    if (denied := _practitioner_only(request)) is not None:
        return denied
    errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        reason, problem = _clean_reason(request)
        if problem:
            errors["reason"] = problem
        else:
            try:
                patient_id = emergency.open_with_card(Actor.of_user(request.user), token, reason)
            except NotFound:
                errors["form"] = _(
                    "This emergency card does not open any record: it may have been replaced "
                    "by a newer card, or the person refused emergency access. Care for them "
                    "without their record, and ask their relatives."
                )
            else:
                return redirect("coffre:emergency_record", patient_id=patient_id)
    return render(
        request,
        "coffre/card_open.html",
        {"errors": errors, "reason": reason, "hours": _hours()},
        status=400 if errors else 200,
    )


# --- The person's side ----------------------------------------------------------------------


def _own_patient_id(request, need: str | None = None) -> int | None:
    """The record the settings are about: the represented person's when acting for them
    (``access.acting.whose``; a proxy without ``need`` is told so)."""
    found = acting.whose(request, need)
    return found.patient_id if found is not None else None


@login_required
def settings_page(request):
    """Refuse emergency access in advance, review emergency accesses, the emergency card."""
    patient_id = _own_patient_id(request, "manage")
    actor = Actor.of_user(request.user)
    try:
        if patient_id is None:
            raise NotFound()
        state = emergency.settings_of(actor, patient_id)
        sessions = emergency.sessions(actor, patient_id)
    except NotFound:
        return render(request, "coffre/emergency_no_record.html", status=404)
    return render(
        request,
        "coffre/emergency_settings.html",
        {"state": state, "sessions": sessions, "hours": _hours()},
    )


@login_required
@require_POST
def refusal(request):
    patient_id = _own_patient_id(request, "manage")
    refuse = request.POST.get("refuse") == "1"
    try:
        if patient_id is None:
            raise NotFound()
        emergency.set_refusal(Actor.of_user(request.user), patient_id, refuse)
    except NotFound:
        return render(request, "coffre/emergency_no_record.html", status=404)
    if refuse:
        messages.success(
            request,
            _("Done: no health professional can open this record in an emergency any more."),
        )
    else:
        messages.success(
            request,
            _("Done: emergency services can open the emergency information again."),
        )
    return redirect("coffre:emergency_settings")


def card_url(request, token: str) -> str:
    path = reverse("coffre:card_open", kwargs={"token": token})
    base = getattr(settings, "CARNET_SITE_URL", "") or request.build_absolute_uri("/")[:-1]
    return base.rstrip("/") + path


def qr_svg(data: str) -> str:
    """The QR code as an SVG data URI (drawn here: no external service ever sees the token)."""
    import qrcode
    import qrcode.image.svg

    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@login_required
@require_POST
def card_new(request):
    """Make a new emergency card (the previous one stops working) and show it to print.

    The token is shown this once: only its digest is kept, so the page is not stored
    anywhere and cannot be shown again; a lost card is replaced by a new one.
    """
    found = acting.whose(request, "manage")
    try:
        if found is None:
            raise NotFound()
        raw = emergency.reset_card(found.actor, found.patient_id)
    except NotFound:
        return render(request, "coffre/emergency_no_record.html", status=404)

    name = found.name or str(request.user)
    url = card_url(request, raw)
    return render(
        request,
        "coffre/card_print.html",
        {
            "url": url,
            "qr": qr_svg(url),
            "name": name,
            "hint": raw[len(emergency.CARD_PREFIX) :][:4],
        },
    )
