"""The Espace pages: reminders, treatments, follow-up, agenda and the calendar feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carnet.access import acting, audience
from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.notify import events
from carnet.web.easy_read import template_for

from . import agenda, appointments, ical, programmes, rules, services
from .base import bucket
from .record import load, owner_actor


def _whose(request) -> tuple[Actor, int, str]:
    """(actor, record, name): the signed-in person's own record (name ""), or the record of
    the relative they act for now (``access.acting.whose``). A proxy who may not read the
    record is told so (403); 404 without a record. What the actor may see or change there
    is decided by ``access`` on every read and write."""
    found = acting.whose(request, "read")
    if found is None:
        raise Http404()
    return found.actor, found.patient_id, found.name


def _context(request):
    actor, pid, _name = _whose(request)
    return actor, pid


def _overview(request):
    actor, pid, name = _whose(request)
    try:
        return actor, pid, name, services.overview(actor, pid)
    except NotFound:
        raise Http404() from None


def _date(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


# The page reads from the top: what is late, what to do now, what comes soon; the rest
# (later, done) waits folded at the bottom.
BUCKETS = ("overdue", "now", "soon", "later", "done")


@login_required
@require_GET
def index(request):
    _actor, _pid, subject, ov = _overview(request)
    found = {name: [] for name in BUCKETS}
    for r in ov.reminders:
        found[bucket(r, ov.on)].append(r)
    return render(
        request,
        template_for(request, "reminders/index.html"),
        {
            "ov": ov,
            "buckets": [{"name": name, "items": found[name]} for name in BUCKETS],
            "pressing": ov.pressing,
            "section": "index",
            "subject": subject,
        },
    )


@login_required
@require_GET
def vaccinations_page(request):
    """The vaccination calendar of the record: what to do now, what comes, what is done."""
    _actor, _pid, subject, ov = _overview(request)
    found = ov.of_kind("vaccination")
    return render(
        request,
        "reminders/vaccinations.html",
        {
            "ov": ov,
            "now": [r for r in found if r.status in ("due", "overdue")],
            "coming": [r for r in found if r.status == "upcoming"],
            "done": [r for r in found if r.status == "done"],
            "birth": ov.snapshot.birth_date,
            "vaccines": ov.vaccines(),
            "section": "vaccinations",
            "subject": subject,
        },
    )


@login_required
@require_POST
def choose(request):
    actor, pid = _context(request)
    action = request.POST.get("action", "")
    key = request.POST.get("key", "")
    try:
        if action in ("snooze7", "snooze30"):
            until = services.snooze(actor, pid, key, 7 if action == "snooze7" else 30)
            messages.success(
                request,
                _("This reminder is snoozed until %(date)s.")
                % {"date": date_format(until, "DATE_FORMAT")},
            )
        elif action == "off":
            services.turn_off(actor, pid, key)
            messages.success(request, _("This reminder is turned off."))
        elif action == "on":
            services.turn_on(actor, pid, key)
            messages.success(request, _("This reminder is turned on again."))
        elif action == "confirm":
            services.confirm(actor, pid, request.POST.get("topic", ""))
            messages.success(request, _("Thank you: noted as up to date."))
        else:
            messages.error(request, _("This choice is not possible."))
    except (services.Invalid, NotFound):
        messages.error(request, _("This choice is not possible."))
    back = (
        "reminders:vaccinations"
        if request.POST.get("page") == "vaccinations"
        else "reminders:index"
    )
    return redirect(reverse(back) + "#" + request.POST.get("anchor", "main"))


@login_required
@require_GET
def treatments_page(request):
    actor, pid, subject, ov = _overview(request)
    day = ov.on
    try:
        who = audience.of_record(actor, pid)  # who else sees this page: the true sentence
    except NotFound:
        who = None
    return render(
        request,
        "reminders/treatments.html",
        {
            "ov": ov,
            "day": day,
            "schedule": services.day_schedule(ov, day),
            "week": services.adherence(ov, 7),
            "month": services.adherence(ov, 30),
            "renewals": ov.of_kind("renewal"),
            "as_needed": [t for t in ov.treatments if not t.scheduled],
            "now": timezone.localtime(),
            "section": "treatments",
            "subject": subject,
            "shared": services.adherence_shared(pid),
            "who": who,
        },
    )


@login_required
@require_POST
def intake_alerts(request):
    """The per-treatment switch: intake alerts on or off (the schedule stays)."""
    actor, pid = _context(request)
    silenced = request.POST.get("alerts") == "off"
    try:
        services.silence_intakes(actor, pid, request.POST.get("request", ""), silenced)
    except (services.Invalid, NotFound):
        messages.error(request, _("This choice is not possible. Reload the page and try again."))
    else:
        messages.success(
            request,
            _("No more alerts for this treatment. Its intakes stay in your schedule.")
            if silenced
            else _("Alerts for this treatment are back on."),
        )
    return redirect(reverse("reminders:treatments") + "#prises")


@login_required
@require_POST
def adherence_sharing(request):
    """The person's choice to show their adherence to their care team (off by default)."""
    actor, pid = _context(request)
    shared = request.POST.get("share") == "on"
    try:
        services.share_adherence(actor, pid, shared)
    except NotFound:
        messages.error(request, _("This choice is not possible."))
    else:
        messages.success(
            request,
            _("Your care team can now see how your treatments went over the last 30 days.")
            if shared
            else _("Your care team no longer sees how your treatments went."),
        )
    return redirect(reverse("reminders:treatments") + "#partage-observance")


@login_required
@require_GET
def pro_adherence(request, patient_id: int):
    """A practitioner with care access sees the adherence the person chose to share (else 404)."""
    if request.user.role != "practitioner":
        raise Http404()
    try:
        rows = services.care_team_adherence(Actor.of_user(request.user), patient_id)
    except NotFound:
        raise Http404() from None
    return render(
        request,
        "reminders/pro_adherence.html",
        {
            "rows": rows,
            "days": services.CARE_TEAM_DAYS,
            "patient_name": accounts.account_names([patient_id]).get(patient_id, ""),
        },
    )


@login_required
@require_POST
def intake(request):
    actor, pid = _context(request)
    status = request.POST.get("status", "")
    try:
        at = dt.datetime.fromisoformat(request.POST.get("at", ""))
        services.record_intake(actor, pid, request.POST.get("request", ""), at, status)
    except (ValueError, services.Invalid, NotFound):
        messages.error(request, _("This intake could not be recorded."))
    else:
        messages.success(request, _("Noted: taken.") if status == "taken" else _("Noted: skipped."))
    return redirect(reverse("reminders:treatments") + "#prises")


@login_required
def programmes_page(request):
    actor, pid, subject = _whose(request)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        prog = request.POST.get("programme", "")
        try:
            if action == "start":
                start = dt.date.fromisoformat(request.POST.get("start", ""))
                services.start_programme(actor, pid, prog, start)
                messages.success(request, _("The follow-up has started."))
            elif action == "stop":
                services.stop_programme(actor, pid, prog)
                messages.success(request, _("The follow-up is stopped."))
            elif action == "resume":
                services.resume_programme(actor, pid, prog)
                messages.success(request, _("The follow-up is back as your record shows it."))
            else:
                raise services.Invalid("unknown action")
            return redirect("reminders:programmes")
        except services.NotApplicable:
            error = _("This follow-up does not apply to this record.")
        except (ValueError, services.Invalid):
            error = _(
                "Give a valid date, within the last year and not in the future (for a "
                "pregnancy: the first day of your last period)."
            )
        except NotFound:
            raise Http404() from None
    try:
        ov = services.overview(actor, pid)
    except NotFound:
        raise Http404() from None
    chosen = services.enrolments(ov.permit)
    active_ids = {p.id for p in ov.programmes}
    available = [
        {
            "id": p["id"],
            "title": rules.text(p["title"]),
            "stopped": chosen.get(p["id"], {}).get("status") == "stopped",
        }
        for p in rules.programmes()["programmes"]
        if p["id"] not in active_ids and programmes.offered(p, ov.snapshot, ov.on)
    ]
    active = []
    for p in ov.programmes:
        steps = [r for r in ov.of_kind("programme") if r.extra.get("programme") == p.id]
        active.append(
            {
                "p": p,
                "steps": steps,
                "source": p.programme["source"],
                "version": p.programme["version"],
            }
        )
    return render(
        request,
        "reminders/programmes.html",
        {
            "ov": ov,
            "active": active,
            "available": available,
            "error": error,
            "today": ov.on,
            "section": "programmes",
            "subject": subject,
        },
        status=400 if error else 200,
    )


VIEW_NAMES = {"jour": "day", "semaine": "week", "liste": "list"}


@login_required
@require_GET
def agenda_page(request):
    actor, pid, subject, ov = _overview(request)
    view = VIEW_NAMES.get(request.GET.get("vue", ""), "week")
    day = _date(request.GET.get("date"), ov.on)
    start, end = agenda.window(view, day)
    booked = appointments.between_days(actor, pid, start, end)
    found = agenda.items(ov, start, end, intakes=view != "list", booked=booked)
    step = {"day": 1, "week": 7, "list": 90}[view]
    return render(
        request,
        "reminders/agenda.html",
        {
            "ov": ov,
            "view": view,
            "vue": {v: k for k, v in VIEW_NAMES.items()}[view],
            "day": day,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "days": agenda.by_day(found, start, end, empty_days=view != "list"),
            "previous": (day - dt.timedelta(days=step)).isoformat(),
            "next": (day + dt.timedelta(days=step)).isoformat(),
            "today": ov.on,
            "section": "agenda",
            "subject": subject,
        },
    )


@login_required
@require_POST
def agenda_add(request):
    actor, pid = _context(request)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
        time_value = request.POST.get("time", "")
        all_day = not time_value
        at_time = dt.time.fromisoformat(time_value) if time_value else dt.time(0)
        at = dt.datetime.combine(day, at_time, tzinfo=timezone.get_current_timezone())
        services.add_entry(
            actor,
            pid,
            at,
            request.POST.get("title", ""),
            request.POST.get("note", ""),
            all_day=all_day,
        )
    except (ValueError, services.Invalid):
        messages.error(request, _("Give a date and a title (up to 200 characters)."))
        return redirect("reminders:agenda")
    messages.success(request, _("Added to your agenda."))
    return redirect(reverse("reminders:agenda") + f"?vue=jour&date={day.isoformat()}")


@login_required
def feed_page(request):
    actor, pid, subject = _whose(request)
    new_url = ""
    if subject:
        # The private address is for one's own calendar app: a relative's record has none.
        return render(request, "reminders/feed.html", {"section": "feed", "subject": subject})
    if request.method == "POST":
        action = request.POST.get("action", "")
        details = request.POST.get("details") == "on"
        if action == "reset":
            secret = services.feed_reset(actor, pid, show_details=details)
            new_url = events.site_url() + reverse("reminders:feed_ics", args=[secret])
            messages.success(
                request,
                _(
                    "Your private calendar address is ready. Copy it now: it will not be shown again."
                ),
            )
        elif action == "settings":
            services.feed_settings(actor, pid, show_details=details)
            messages.success(request, _("Your choice is saved."))
            return redirect("reminders:feed")
        elif action == "delete":
            services.feed_delete(actor, pid)
            messages.success(request, _("The calendar address no longer works."))
            return redirect("reminders:feed")
    return render(
        request,
        "reminders/feed.html",
        {"feed": services.feed_of(pid), "new_url": new_url, "section": "feed"},
    )


@require_GET
def feed_ics(request, secret: str):
    """The private feed: no login, the secret is the key; unknown secrets get a plain 404."""
    feed = services.feed_for_secret(secret)
    if feed is None:
        raise Http404()
    actor = owner_actor(feed.patient_id, label="Carnet calendar feed")
    if actor is None:
        raise Http404()
    lang = User.objects.filter(pk=actor.user_id).values_list("language", flat=True).first()
    with translation.override(lang or "fr"):
        try:
            ov = services.overview_of(actor, load(actor, feed.patient_id), timezone.localdate())
        except NotFound:
            raise Http404() from None
        first, end = ical.window(ov.on)
        booked = appointments.between_days(actor, feed.patient_id, first, end, cancelled=True)
        body = ical.render(
            ov,
            show_details=feed.show_details,
            base_url=events.site_url(),
            agenda_path=reverse("reminders:agenda"),
            booked=booked,
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response


__all__ = ["index", "programmes"]
