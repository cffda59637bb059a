from functools import cache

from allauth.account.views import SignupView
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from carnet.access import acting, audience
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.care.views_pro import home as pro_home
from carnet.coffre import relatives
from carnet.records import current as records_current
from carnet.records import words
from carnet.reminders import programmes as reminder_programmes
from carnet.reminders import rules as reminder_rules
from carnet.reminders import services as reminders
from carnet.reminders.record import Snapshot
from carnet.web.easy_read import template_for

# What the reminders read of a record: every item of these kinds…
REMINDER_TYPES = (
    "Patient",
    "Condition",
    "AllergyIntolerance",
    "MedicationRequest",
    "MedicationStatement",
    "Medication",
    "Immunization",
    "ImagingStudy",
)
# …and of these, only the items whose codes a follow-up rule looks for.
REMINDER_CODED_TYPES = (
    "Observation",
    "Encounter",
    "Procedure",
    "DiagnosticReport",
    "DocumentReference",
)
SHOWN_REMINDERS = 4
REMINDER_LATEST = 12


@cache
def _reminder_codes() -> dict[str, list[str]]:
    """The 'system|code' tokens each coded kind of item is matched on by the reminders' rules."""
    wanted: dict[str, set[str]] = {t: set() for t in REMINDER_CODED_TYPES}
    wanted["Observation"] |= {reminder_programmes.LMP, reminder_programmes.EDD}

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "match" and isinstance(value, dict):
                    for rtype, tokens in value.items():
                        if rtype in wanted:
                            wanted[rtype] |= set(tokens)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reminder_rules.programmes())
    return {t: sorted(v) for t, v in wanted.items()}


def _reminders(actor: Actor, current: records_current.Current):
    """The reminders of the record, computed from the items they need (read under the same permit)."""
    loaded = []
    for rtype in REMINDER_TYPES:
        loaded += records_current.resources(current, rtype)
    # The rules look at the last few items of each code (the last HbA1c, this year's eye
    # exam, a pregnancy's monthly visits): older ones change nothing and are not read.
    loaded += records_current.coded(current, _reminder_codes(), latest=REMINDER_LATEST)
    snap = Snapshot(current.patient_id, loaded, current.permit)
    return reminders.overview_of(actor, snap, timezone.localdate())


def home(request):
    """Signed out: the front door. Signed in: the person's own home."""
    if not request.user.is_authenticated:
        return front_door(request)
    return _home(request)


def front_door(request):
    """What Carnet is, in plain words, to someone who has not signed in (issue 17, point 6)."""
    return render(request, "web/front_door.html")


@login_required
def _home(request):
    """A citizen sees what matters first in their record; others see what they will do here."""
    found = acting.whose(request)
    if found is not None and found.acting:
        return redirect("coffre:proxy_record")  # acting for a relative: their record
    if request.user.role == "practitioner":
        return pro_home(request)  # their workspace: patients, messages, requests, agenda
    patient = accounts.patient_of(request.user)
    if patient is None:
        return render(request, "web/welcome.html", {"role": request.user.role})
    actor = Actor.of_user(request.user)
    # What the reminders read comes in the summary's queries: one read of the record.
    current = records_current.summary(
        actor,
        patient.pk,
        Purpose.SELF,
        preload=REMINDER_TYPES,
        coded=(_reminder_codes(), REMINDER_LATEST),
    )
    counts = dict(current.counts)
    pressing, more_reminders = [], 0
    if not current.empty:
        overview = _reminders(actor, current)
        if counts.get("Immunization"):
            # One act recorded in two documents is one vaccine, as « Mes vaccinations » says.
            counts["Immunization"] = len(overview.vaccines())
        active = [r for r in overview.pressing if r.kind != "stale"]
        stale = [r for r in overview.pressing if r.kind == "stale"]
        pressing = (active + stale)[:SHOWN_REMINDERS]
        more_reminders = len(active) + len(stale) - len(pressing)
    kinds = words.summarise(counts)
    return render(
        request,
        template_for(request, "web/home.html"),
        {
            "current": current,
            "recent": [
                {"title": i.title, "when": i.when, "kind_label": _kind_label(i.resource_type)}
                for i in current.recent
            ],
            "kinds": kinds,
            "total": sum(n for _key, _label, n in kinds),
            "reminders": pressing,
            "more_reminders": more_reminders,
            "timeline_url": _url_or_empty("records:timeline"),
            "add_url": _url_or_empty("records:entry_index"),
            "documents_url": _url_or_empty("records:documents"),
            "audience": audience.of_record(actor, patient.pk),
            # « Mes proches »: one button per person they may act for (one tap to their record).
            "relatives": relatives.live(request.user, details=False),
            "relatives_ended": relatives.ended(request.user),
        },
    )


def _kind_label(resource_type: str) -> str:
    kinds = words.summarise({resource_type: 1})
    return kinds[0][1] if kinds else ""


def _url_or_empty(name: str) -> str:
    """A page of another part of the record, if it is there yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def goodbye(request):
    """Shown once an account is closed (the person is signed out by then)."""
    return render(request, "web/goodbye.html")


class SignUp(SignupView):
    """allauth's sign-up page, in easy-read words when the visitor chose them."""

    def get_template_names(self):
        return [template_for(self.request, SignupView.template_name)]


sign_up = SignUp.as_view()
