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
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from carnet.access import acting, emergency, labels
from carnet.access.models import EmergencyAccess
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import dates, words
from carnet.records import services as records
from carnet.web.labels import HIDDEN, KINDS, OTHER

# --- Reading a record in plain words ----------------------------------------------------

EMERGENCY_SECTIONS = [
    ("allergies", gettext_lazy("Allergies")),
    ("problems", gettext_lazy("Current health problems")),
    ("treatments", gettext_lazy("Current treatments")),
    ("blood", gettext_lazy("Blood group")),
    ("directives", gettext_lazy("Advance directives")),
]
OTHER_LIMIT = 20
_DATE_FIELDS = (
    "effectiveDateTime",
    "authoredOn",
    "occurrenceDateTime",
    "performedDateTime",
    "onsetDateTime",
    "recordedDate",
    "issued",
    "date",
)
_KIND_OF = {rtype: key for key, _label, types in KINDS for rtype in types}


def concept_text(concept) -> str:
    """The words of a CodeableConcept in the page's language (``records.words.label``)."""
    return words.label(concept)


def _when(resource: dict) -> date | None:
    value = next((resource[f] for f in _DATE_FIELDS if isinstance(resource.get(f), str)), None)
    if value is None:
        for f in ("effectivePeriod", "period"):
            if isinstance(resource.get(f), dict) and resource[f].get("start"):
                value = resource[f]["start"]
                break
    return dates.whole_day(value)


def _value(resource: dict) -> str:
    """A value in words; a blood pressure by its components' codes (``records.words``)."""
    return words.value_of(resource)


TITLE_DEFAULTS = {
    "MedicationRequest": gettext_lazy("Treatment"),
    "MedicationStatement": gettext_lazy("Treatment"),
    "MedicationAdministration": gettext_lazy("Treatment"),
    "Immunization": gettext_lazy("Vaccine"),
    "Encounter": gettext_lazy("Visit"),
    "DocumentReference": gettext_lazy("Document"),
}


def _title(resource: dict) -> str:
    """The name of an item (``records.words.title_of``), or what kind of item it is."""
    found = words.title_of(resource)
    if found:
        return found
    return str(TITLE_DEFAULTS.get(resource.get("resourceType", ""), gettext_lazy("Item")))


def _detail(resource: dict) -> str:
    rtype = resource.get("resourceType", "")
    if rtype.startswith("Medication"):
        return "; ".join(
            d["text"] for d in resource.get("dosageInstruction") or [] if d.get("text")
        )
    if rtype == "AllergyIntolerance":
        bits = []
        if resource.get("criticality") == "high":
            bits.append(_("serious risk"))
        for reaction in resource.get("reaction") or []:
            bits += [concept_text(m) for m in reaction.get("manifestation") or []]
        return ", ".join(b for b in bits if b)
    if rtype == "Encounter":
        return "; ".join(concept_text(r) for r in resource.get("reasonCode") or [])
    if rtype == "DiagnosticReport":
        return resource.get("conclusion", "")
    return _value(resource)


def describe(resource: dict) -> dict:
    return {
        "title": _title(resource),
        "detail": _detail(resource),
        "date": _when(resource),
        "id": f"{resource.get('resourceType')}/{resource.get('id')}",
    }


def _emergency_key(resource: dict) -> str | None:
    """Which emergency section an item of the emergency dataset belongs to."""
    if not labels.in_emergency_set(resource):
        return None
    return {
        "AllergyIntolerance": "allergies",
        "Condition": "problems",
        "MedicationRequest": "treatments",
        "MedicationStatement": "treatments",
        "Observation": "blood",
        "DocumentReference": "directives",
        "Consent": "directives",
    }.get(resource.get("resourceType"))


def _name(name) -> str:
    if isinstance(name, list):
        name = next((n for n in name if n.get("use") in ("official", "usual")), None) or (
            name[0] if name else {}
        )
    if not isinstance(name, dict):
        return ""
    if name.get("text"):
        return str(name["text"])
    return " ".join([*(name.get("given") or []), name.get("family", "")]).strip()


def _phones(telecom) -> list[str]:
    return [t["value"] for t in telecom or [] if t.get("system") == "phone" and t.get("value")]


def person_of(resources: list[dict]) -> dict:
    """Identity, emergency contacts and médecin traitant from the Patient resource."""
    patient = next((r for r in resources if r.get("resourceType") == "Patient"), None) or {}
    shared = {
        f"{r['resourceType']}/{r.get('id')}": r
        for r in resources
        if r.get("resourceType") in ("Practitioner", "Organization")
    }
    contacts = []
    for c in patient.get("contact") or []:
        relations = [concept_text(r) for r in c.get("relationship") or []]
        contacts.append(
            {
                "name": _name(c.get("name")),
                "relation": next(
                    (
                        r
                        for r in relations
                        if r and r not in ("Emergency Contact", "Next-of-Kin", "C", "N")
                    ),
                    "",
                ),
                "phones": _phones(c.get("telecom")),
            }
        )
    doctors = []
    for ref in patient.get("generalPractitioner") or []:
        found = shared.get(ref.get("reference", ""))
        label = ref.get("display") or (_name(found.get("name")) if found else "")
        if found and not label:
            label = found.get("name", "") if isinstance(found.get("name"), str) else ""
        if label:
            doctors.append({"name": label, "phones": _phones((found or {}).get("telecom"))})
    return {
        "name": _name(patient.get("name")),
        "birth_date": dates.whole_day(patient.get("birthDate")),
        "gender": patient.get("gender", ""),
        "contacts": contacts,
        "doctors": doctors,
    }


def readable(resources: list[dict]) -> dict:
    """A record in plain words: the person, the emergency sections, then the other kinds."""
    found: dict[str, list] = {key: [] for key, _label in EMERGENCY_SECTIONS}
    others: dict[str, list] = {}
    for r in resources:
        rtype = r.get("resourceType", "")
        if rtype in HIDDEN or rtype in ("Practitioner", "Organization", "Location"):
            continue
        key = _emergency_key(r)
        if key is not None:
            found[key].append(describe(r))
        else:
            others.setdefault(_KIND_OF.get(rtype, OTHER[0]), []).append(describe(r))

    def newest_first(items):
        return sorted(items, key=lambda i: (i["date"] is not None, i["date"]), reverse=True)

    emergency_sections = [
        {"key": key, "title": str(title), "items": newest_first(found[key])}
        for key, title in EMERGENCY_SECTIONS
    ]
    other_sections = []
    for key, title in [(k, t) for k, t, _types in KINDS] + [OTHER]:
        if key in others:
            items = newest_first(others[key])
            other_sections.append(
                {
                    "key": key,
                    "title": str(title),
                    "items": items[:OTHER_LIMIT],
                    "more": max(0, len(items) - OTHER_LIMIT),
                }
            )
    return {
        "person": person_of(resources),
        "emergency": emergency_sections,
        "others": other_sections,
    }


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
    """The emergency dataset and the other unmasked items, while the access lasts."""
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
            "record": readable(resources),
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
