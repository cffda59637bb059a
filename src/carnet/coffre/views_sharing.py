"""The sharing page: who sees my record, for how long, item by item; take it back.

Views parse, call ``grants`` / ``masks`` / ``requests``, render. Changes that open
access (sharing, naming the médecin traitant, accepting a request, a share code, showing
an item to more people) ask the person to confirm who they are again, with their second
factor when they have one (``accounts.reauth``, the same as export and closing). Taking access back
never does: withdrawing must work at once, even in a hurry.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from carnet.access import acting, audience, grants, masks, requests
from carnet.access import labels as L
from carnet.access.services import Actor, NotFound
from carnet.accounts.models import Role, User
from carnet.accounts.reauth import confirm_identity
from carnet.care import directory
from carnet.records import services as records
from carnet.records import words
from carnet.web.easy_read import template_for
from carnet.web.params import bounded_int

DURATION_CHOICES = [
    ("consultation", gettext_lazy("For one consultation (24 hours)")),
    ("month", gettext_lazy("For one month")),
    ("year", gettext_lazy("For one year")),
    ("until_revoked", gettext_lazy("Until I withdraw it")),
]
LEVEL_CHOICES = [
    ("N", gettext_lazy("Everyday items only")),
    ("R", gettext_lazy("Also sensitive items (mental health, sexual health, addiction…)")),
    ("V", gettext_lazy("Everything, even items marked very sensitive")),
]
MODE_CHOICES = [
    ("read", gettext_lazy("Read only")),
    ("write", gettext_lazy("Read, and add to my record")),
]
AUDIENCE_CHOICES = [
    ("care_team", gettext_lazy("My care team")),
    ("referent", gettext_lazy("Only my médecin traitant")),
    ("self", gettext_lazy("Only me")),
]
# Widest first: moving up this list shows an item to more people.
AUDIENCE_WIDTH = {"self": 0, "referent": 1, "care_team": 2}


class ScopeForm(forms.Form):
    """What a practitioner may see: kinds of items, sensitivity, reading or writing, how long."""

    categories = forms.MultipleChoiceField(
        label=gettext_lazy("What they may see"),
        choices=L.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Tick at least one kind of item.")},
    )
    max_level = forms.ChoiceField(
        label=gettext_lazy("Sensitive items"),
        choices=LEVEL_CHOICES,
        initial="N",
        widget=forms.RadioSelect,
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Reading or writing"),
        choices=MODE_CHOICES,
        initial="read",
        widget=forms.RadioSelect,
    )
    duration = forms.ChoiceField(
        label=gettext_lazy("For how long"),
        choices=DURATION_CHOICES,
        initial="month",
        widget=forms.RadioSelect,
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or RPPS number of the health professional"),
        min_length=3,
        max_length=100,
        help_text=gettext_lazy(
            "The RPPS number is the 11-digit number on their prescriptions or their door plate."
        ),
        error_messages={
            "required": gettext_lazy("Type at least 3 letters of the name, or the RPPS number."),
            "min_length": gettext_lazy("Type at least 3 letters of the name, or the RPPS number."),
        },
    )


class MaskForm(forms.Form):
    resource_type = forms.CharField(max_length=64)
    fhir_id = forms.CharField(max_length=64)
    audience = forms.ChoiceField(choices=AUDIENCE_CHOICES)
    hide_in_emergency = forms.BooleanField(required=False)


def whose_record(request) -> acting.Whose:
    """The record these pages manage: one's own, or that of the person one acts for, who
    gave the permission to manage it (``access.acting.whose``); Http404 without one."""
    found = acting.whose(request, "manage")
    if found is None:
        raise Http404()
    return found


def actor_and_record(request) -> tuple[Actor, int]:
    """(actor, record) of ``whose_record``."""
    found = whose_record(request)
    return found.actor, found.patient_id


def _practitioner(user_id: int):
    user = User.objects.filter(pk=user_id, role=Role.PRACTITIONER, is_active=True).first()
    if user is None or not directory.is_verified(user):
        raise Http404()
    return user


def category_words(categories) -> list[str]:
    names = dict(L.Category.choices)
    return [str(names[c]) for c in L.CATEGORIES if c in categories]


def _grant_rows(grant_list) -> list[dict]:
    levels = dict(LEVEL_CHOICES)
    return [
        {
            "grant": g,
            "categories": category_words(g.categories),
            "level": levels.get(g.max_level, ""),
            "writes": g.mode == "write",
        }
        for g in grant_list
    ]


@login_required
def sharing(request):
    """The sharing page: médecin traitant, practitioners, requests, share code, take back."""
    found = acting.whose(request, "manage")
    if found is None:
        return render(request, "coffre/sharing_no_record.html", status=404)
    actor, patient_id = found.actor, found.patient_id
    try:
        current = grants.list_grants(actor, patient_id)
        pending = requests.pending_for(actor, patient_id)
    except NotFound:
        raise Http404() from None
    referent = next((g for g in current if g.kind == "referent"), None)
    care = [g for g in current if g.kind == "care"]
    # Apps the person connected (carnet.smart), beside the practitioners.
    apps = [g for g in current if g.kind == "app"]
    return render(
        request,
        template_for(request, "coffre/sharing.html"),
        {
            "referent": referent,
            "care": _grant_rows(care),
            "apps": _grant_rows(apps),
            "pending": [
                {
                    "request": r,
                    "categories": category_words(r.categories),
                    "duration": dict(DURATION_CHOICES).get(r.duration, ""),
                }
                for r in pending
            ],
            "share_code": requests.share_code_of(patient_id),
            "search_form": SearchForm(),
        },
    )


@login_required
def practitioners(request):
    """Find a health professional by name or RPPS number, to share with them."""
    actor_and_record(request)
    form = SearchForm(request.GET or None)
    found = None
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        qs = User.objects.filter(role=Role.PRACTITIONER, is_active=True)
        digits = q.replace(" ", "")
        if digits.isdigit():
            qs = qs.filter(rpps=digits)
        else:
            cond = Q()
            for word in q.split()[:4]:
                cond &= Q(display_name__icontains=word)
            qs = qs.filter(cond)
        # Only professionals the national directory lists (RPPS number and name).
        candidates = list(qs.order_by("display_name", "pk")[:100])
        verified = directory.verified_practitioners(candidates)
        found = [u for u in candidates if u.pk in verified][:20]
    return render(
        request,
        "coffre/sharing_practitioners.html",
        {"form": form, "found": found},
        status=400 if request.GET and not form.is_valid() else 200,
    )


def _share_page(request, who, form, status=200):
    return render(request, "coffre/sharing_share.html", {"who": who, "form": form}, status=status)


@login_required
def share(request, practitioner_id: int):
    """GET: what to share with this practitioner; POST: share it (identity confirmed)."""
    actor, patient_id = actor_and_record(request)
    who = _practitioner(practitioner_id)
    if request.method == "POST":
        return _share_post(request, practitioner_id=practitioner_id)
    initial = {"categories": [], "max_level": "N", "mode": "read", "duration": "month"}
    return _share_page(request, who, ScopeForm(initial=initial))


@confirm_identity
def _share_post(request, practitioner_id: int):
    actor, patient_id = actor_and_record(request)
    who = _practitioner(practitioner_id)
    form = ScopeForm(request.POST)
    if not form.is_valid():
        return _share_page(request, who, form, status=400)
    data = form.cleaned_data
    try:
        grants.share(
            actor,
            patient_id,
            who.pk,
            categories=data["categories"],
            max_level=data["max_level"],
            mode=data["mode"],
            duration=data["duration"],
        )
    except grants.GrantRefused:
        form.add_error(None, _("This access cannot be given. Check your choices and try again."))
        return _share_page(request, who, form, status=400)
    except NotFound:
        raise Http404() from None
    messages.success(
        request,
        _("%(name)s can now see what you chose. You can withdraw it at any time on this page.")
        % {"name": who},
    )
    return redirect("coffre:sharing")


@login_required
@require_POST
@confirm_identity
def set_referent(request, practitioner_id: int):
    actor, patient_id = actor_and_record(request)
    who = _practitioner(practitioner_id)
    try:
        grants.set_referent(actor, patient_id, who.pk)
    except (NotFound, grants.GrantRefused):
        raise Http404() from None
    messages.success(
        request,
        _(
            "%(name)s is now your médecin traitant: they see your whole record, except what you keep for yourself."
        )
        % {"name": who},
    )
    return redirect("coffre:sharing")


@login_required
@require_POST
def revoke(request, grant_id: int):
    """Withdraw one access. No confirmation of identity: taking back must always work."""
    actor, patient_id = actor_and_record(request)
    try:
        done = grants.revoke(actor, patient_id, grant_id)
    except NotFound:
        raise Http404() from None
    if not done:
        raise Http404()
    messages.success(request, _("Access withdrawn. It stops right now, on their next request."))
    return redirect("coffre:sharing")


@login_required
def revoke_all(request):
    """GET: what will stop; POST: withdraw every access at once."""
    actor, patient_id = actor_and_record(request)
    if request.method == "POST":
        try:
            n = grants.revoke_all(actor, patient_id)
        except NotFound:
            raise Http404() from None
        if n:
            try:
                left = audience.of_record(actor, patient_id)
            except NotFound:
                # A relative acting for the person withdrew their own access too: they are
                # back in their own space from the next page on.
                messages.success(request, _("Every access is withdrawn, yours included."))
                return redirect("home")
            messages.success(
                request,
                _("Every access is withdrawn. Nobody but you can open your record now.")
                if left.only_you
                else _("Every access you gave is withdrawn. Still able to see your record: %(who)s")
                % {"who": " ".join(left.lines)},
            )
        else:
            messages.info(request, _("Nobody had access: nothing needed to change."))
        return redirect("coffre:sharing")
    try:
        current = grants.list_grants(actor, patient_id)
    except NotFound:
        raise Http404() from None
    return render(request, "coffre/sharing_revoke_all.html", {"current": current})


# --- per-item masking ---------------------------------------------------------------------


def _kinds(actor, patient_id, purpose) -> list[tuple[str, str, int, int]]:
    """(key, label, how many items, how many of them restricted), for the kinds not empty."""
    counts = records.count_by_type(actor, patient_id, purpose)
    restricted = masks.restricted_by_type(patient_id)
    out = []
    for key, label, types in words.KINDS:
        n = sum(counts.get(t, 0) for t in types)
        if n:
            out.append((key, str(label), n, min(n, sum(restricted.get(t, 0) for t in types))))
    return out


def _restricted(mask: dict) -> bool:
    return mask.get("audience", "care_team") != "care_team" or mask.get("hide_in_emergency", False)


@login_required
def items(request):
    """Item by item: who besides me may see it, and whether emergencies may.

    Without a kind, the page explains and lists the kinds with their counts; the person
    picks one, then sees its items, those shown to fewer people first.
    """
    found = whose_record(request)
    actor, patient_id = found.actor, found.patient_id
    if request.method == "POST":
        return _mask_post(request)
    kinds = _kinds(actor, patient_id, found.purpose)
    kind = request.GET.get("kind", "")
    chosen = next((k for k in kinds if k[0] == kind), None)
    if chosen is None:
        return render(request, "coffre/sharing_items.html", {"kinds": kinds})
    types = next((sorted(t) for key, _label, t in words.KINDS if key == kind), [])
    offset = bounded_int(request.GET.get("depuis"))
    current = masks.masks_of(patient_id)
    rows = []
    for rtype in types:
        try:
            page = records.search(actor, patient_id, rtype, found.purpose, count=200)
        except NotFound:
            raise Http404() from None
        for r in page.resources:
            labels = L.of_resource(r)
            m = current.get((r["resourceType"], r["id"]), {})
            rows.append(
                {
                    "type": r["resourceType"],
                    "id": r["id"],
                    "title": words.title(r),
                    "when": words.when(r),
                    "sensitive": L.level_of(labels) != "N",
                    "audience": m.get("audience", "care_team"),
                    "hide_in_emergency": m.get("hide_in_emergency", False),
                    "restricted": _restricted(m),
                }
            )
    # Newest first, and the items already shown to fewer people before the others.
    rows.sort(
        key=lambda row: (row["when"] is not None, row["when"] and row["when"].order), reverse=True
    )
    rows.sort(key=lambda row: not row["restricted"])
    shown = rows[offset : offset + 50]
    return render(
        request,
        "coffre/sharing_items.html",
        {
            "kinds": kinds,
            "kind": kind,
            "chosen": chosen,
            "rows": shown,
            "total": len(rows),
            "offset": offset,
            "next_offset": offset + 50 if offset + 50 < len(rows) else None,
            "audiences": AUDIENCE_CHOICES,
        },
    )


def _widens(request) -> bool:
    """Whether a mask change shows an item to more people than now."""
    try:
        current = masks.masks_of(whose_record(request).patient_id).get(
            (request.POST.get("resource_type", ""), request.POST.get("fhir_id", "")), {}
        )
    except Exception:
        return True
    before = AUDIENCE_WIDTH.get(current.get("audience", "care_team"), 2)
    after = AUDIENCE_WIDTH.get(request.POST.get("audience", ""), 2)
    emergency_before = current.get("hide_in_emergency", False)
    emergency_after = bool(request.POST.get("hide_in_emergency"))
    return after > before or (emergency_before and not emergency_after)


@confirm_identity(when=_widens)
def _mask_post(request):
    actor, patient_id = actor_and_record(request)
    form = MaskForm(request.POST)
    back = request.POST.get("kind", "")
    if not form.is_valid():
        messages.error(request, _("This choice was not understood. Choose again in the list."))
        return redirect(f"{request.path}?kind={back}" if back.isidentifier() else request.path)
    data = form.cleaned_data
    try:
        masks.set_mask(
            actor,
            patient_id,
            data["resource_type"],
            data["fhir_id"],
            audience=data["audience"],
            hide_in_emergency=data["hide_in_emergency"],
        )
    except (NotFound, ValueError):
        raise Http404() from None
    messages.success(request, _("Saved. It applies from the next request."))
    url = request.path + (f"?kind={back}" if back.isidentifier() else "")
    return redirect(url + f"#item-{data['fhir_id']}")


# --- share code -----------------------------------------------------------------------------


@login_required
@require_POST
@confirm_identity
def share_code(request):
    """Make a share code to give a practitioner (shown once, in this answer)."""
    actor, patient_id = actor_and_record(request)
    try:
        code, expires = requests.create_share_code(actor, patient_id)
    except NotFound:
        raise Http404() from None
    return render(request, "coffre/sharing_code.html", {"code": code, "expires": expires})


@login_required
@require_POST
def share_code_delete(request):
    actor, patient_id = actor_and_record(request)
    try:
        requests.delete_share_code(actor, patient_id)
    except NotFound:
        raise Http404() from None
    messages.success(request, _("Your share code no longer works."))
    return redirect("coffre:sharing")
