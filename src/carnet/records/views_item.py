"""One item of the record: what it says, where it comes from, whether it is still current,
and its history; the person annotates any item and corrects their own entries.

URLs carry the item's id only (never its type, name or value).
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from carnet.access import masks
from carnet.access.services import NotFound
from carnet.reminders import record as reminder_record
from carnet.reminders import rules as reminder_rules
from carnet.reminders import services as reminders
from carnet.reminders import stale as reminder_stale

from . import dates, document_files, fhir, search, services, views_results, words
from .models import Source
from .views import explain_warning
from .views_timeline import record_of, same_context, who_of

CONFIRMED_BY = "https://carnet.sante.fr/fhir/StructureDefinition/confirmed-by"
STILL_RIGHT = "https://carnet.sante.fr/fhir/StructureDefinition/confirmed-up-to-date"
SERIES_MAX = 200
NOTE_MAX = 2000


# --- Who recorded it, who confirmed it ----------------------------------------------------------


def recorded_by(version: services.Version, user) -> str:
    """Plain words for where a version came from."""
    details = version.details or {}
    if version.source == Source.IMPORT:
        name = details.get("file") or ""
        if name == "demo":
            return _("imported with the demonstration record")
        if name:
            return _("imported from the file “%(name)s”") % {"name": name}
        return _("imported from a file")
    if version.source == Source.API:
        return _("added by an application you connected (%(name)s)") % {
            "name": details.get("by") or ""
        }
    if version.source == Source.PRACTITIONER:
        if details.get("profession"):
            return _("added by %(name)s, %(profession)s") % {
                "name": details.get("by") or "",
                "profession": details["profession"],
            }
        return _("recorded by %(name)s, health professional") % {"name": details.get("by") or ""}
    if version.recorded_by_id is not None and version.recorded_by_id == user.pk:
        return _("entered by you")
    return _("entered by %(name)s") % {"name": details.get("by") or _("the person")}


def confirmation(resource: dict, shared: dict) -> dict | None:
    """Whether a practitioner confirmed the item, by whom and when (None: not confirmed)."""
    for ext in resource.get("extension") or []:
        if isinstance(ext, dict) and ext.get("url") == CONFIRMED_BY:
            by, when = "", None
            for sub in ext.get("extension") or []:
                if sub.get("url") == "practitioner":
                    ref = sub.get("valueReference") or {}
                    by = words.person_name(
                        shared.get(ref.get("reference", "")), titled=True
                    ) or ref.get("display", "")
                elif sub.get("url") == "date":
                    when = dates.instant(sub.get("valueDateTime"))
            return {"by": by, "when": when}
    status = resource.get("verificationStatus")
    codes = {c.get("code") for c in (status or {}).get("coding") or [] if isinstance(c, dict)}
    if "confirmed" in codes:
        return {"by": "", "when": None}
    return None


# --- Freshness ----------------------------------------------------------------------------------


def _topic_of(resource: dict) -> dict | None:
    rtype = resource.get("resourceType")
    tokens = reminder_record.resource_tokens(resource)
    for topic in reminder_stale.spec()["topics"]:
        wanted = (topic.get("match") or {}).get(rtype)
        if wanted is None:
            continue
        if not wanted or reminder_record.matches(tokens, wanted):
            return topic
    return None


def _still_right_on(resource: dict):
    for ext in resource.get("extension") or []:
        if isinstance(ext, dict) and ext.get("url") == STILL_RIGHT:
            return dates.instant(ext.get("valueDateTime"))
    return None


def freshness(resource: dict, latest_of_measure: dict | None) -> dict | None:
    """An invitation to update an item that goes stale (weight, blood pressure, treatments,
    allergies: see reminders' data files), or None when it is recent enough."""
    topic = _topic_of(resource)
    if topic is None:
        return None
    basis = latest_of_measure or resource
    if basis.get("id") != resource.get("id"):
        mine, newest = fhir.clinical_date(resource), fhir.clinical_date(basis)
        if mine is None or (newest is not None and newest > mine):
            return None  # a newer value of this kind exists: the prompt belongs on it
    # When it happened (a prescription's date, a measurement's), or when the person last
    # said it was still right; not when it was imported (an old list imported today is old).
    seen = [d for d in (fhir.clinical_date(basis), _still_right_on(resource)) if d is not None]
    last = max(seen) if seen else None
    if last is not None and timezone.now() - last <= timedelta(days=topic["max_age_days"]):
        return None
    return {
        "topic": topic["id"],
        "text": reminder_rules.text(topic["label"]),
        "measure": resource.get("resourceType") == "Observation",
        # « Nothing has changed » only where it can be true (a weight, not a blood pressure).
        "confirm": topic.get("confirm", True),
    }


def _newest_of_topic(actor, pid, purpose, current: dict) -> dict | None:
    """The newest observation of the same kind (every code of its stale-data topic: a body
    weight and a measured weight are one kind), or None."""
    topic = _topic_of(current)
    wanted = ((topic or {}).get("match") or {}).get("Observation")
    if not wanted:
        return None
    try:
        found = services.search(actor, pid, "Observation", purpose, code=list(wanted), count=1)
    except NotFound:
        return None
    return found.resources[0] if found.resources else None


# --- What a report groups, what a visit holds ----------------------------------------------------

# The kinds of items a visit's page lists, in this order (a kind not listed comes last).
VISIT_GROUPS = (
    ("Condition", gettext_lazy("Health problems")),
    ("AllergyIntolerance", gettext_lazy("Allergies")),
    ("Procedure", gettext_lazy("Procedures and examinations")),
    ("MedicationRequest", gettext_lazy("Prescriptions")),
    ("MedicationStatement", gettext_lazy("Treatments")),
    ("MedicationAdministration", gettext_lazy("Treatments")),
    ("DeviceRequest", gettext_lazy("Prescriptions")),
    ("DiagnosticReport", gettext_lazy("Test reports")),
    ("results", gettext_lazy("Test results")),
    ("measurements", gettext_lazy("Measurements")),
    ("lifestyle", words.LIFESTYLE_WORD),
    ("Immunization", gettext_lazy("Vaccines")),
    ("ImagingStudy", gettext_lazy("Imaging")),
    ("CarePlan", gettext_lazy("Care plans")),
    ("DocumentReference", gettext_lazy("Documents")),
)
# Bills and technical traces are no part of what a person reads of a visit.
NOT_SHOWN_IN_VISIT = {"Claim", "ExplanationOfBenefit", "Coverage", "Provenance", "AuditEvent"}


def _group_of(resource: dict) -> str:
    rtype = resource.get("resourceType", "")
    if rtype != "Observation":
        return rtype
    if words.is_lifestyle(resource):
        return "lifestyle"
    return "measurements" if words.kind(resource) == str(words.MEASUREMENT_WORD) else "results"


def linked_line(resource: dict) -> dict:
    """One linked item in plain words: its name, its value, its usual range and its page."""
    line = {
        "url": reverse("records:item", args=[resource["id"]]),
        "title": words.title(resource),
        "value": words.value(resource) if resource.get("resourceType") == "Observation" else "",
        "range": "",
        "position": "",
    }
    if resource.get("resourceType") == "Observation":
        rng = views_results.usual_range(resource)
        line["range"] = rng["text"] if rng else ""
        line["position"] = views_results.LABELS.get(views_results.position(resource), "")
    return line


def report_results(actor, pid, purpose, report: dict) -> dict | None:
    """A report's results (its ``result`` references), read through access, in its order."""
    refs = [
        str(r.get("reference"))
        for r in report.get("result") or []
        if isinstance(r, dict) and str(r.get("reference") or "").startswith("Observation/")
    ]
    if not refs:
        return None
    try:
        found = {r["id"]: r for r in services.linked(actor, pid, purpose, refs=refs)}
    except NotFound:
        found = {}
    lines = [linked_line(found[i]) for i in (r.rpartition("/")[2] for r in refs) if i in found]
    return {"lines": lines, "missing": len(refs) - len(lines)}


def visit_contents(actor, pid, purpose, encounter: dict) -> list[dict]:
    """What the record holds from a visit (items whose encounter is this one), by kind."""
    try:
        found = services.linked(actor, pid, purpose, encounter=f"Encounter/{encounter['id']}")
    except NotFound:
        return []
    order = {key: n for n, (key, _label) in enumerate(VISIT_GROUPS)}
    names = dict(VISIT_GROUPS)
    groups: dict[str, list] = {}
    for r in found:
        if r.get("id") == encounter["id"] or r.get("resourceType") in NOT_SHOWN_IN_VISIT:
            continue
        groups.setdefault(_group_of(r), []).append(linked_line(r))
    merged: dict[str, dict] = {}
    for key in sorted(groups, key=lambda k: (order.get(k, len(order)), k)):
        name = str(names.get(key) or words.TYPE_WORDS.get(key) or words.OTHER_WORD)
        merged.setdefault(name, {"kind": name, "lines": []})["lines"] += groups[key]
    return list(merged.values())


# --- The page -----------------------------------------------------------------------------------


def _noted(resource: dict) -> bool:
    try:
        return "note" in fhir.model_class(resource["resourceType"]).model_fields
    except fhir.InvalidResource:
        return False


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Only for you and the people you share this item with."),
    )


def _load(request, item_id: str):
    found = record_of(request)
    if found is None:
        raise Http404()
    actor, pid, purpose = found
    try:
        versions = services.provenance(actor, pid, item_id, purpose)
    except NotFound:
        raise Http404() from None
    return actor, pid, purpose, versions


@login_required
def item(request, item_id: str):
    actor, pid, purpose, versions = _load(request, item_id)
    return _render(request, actor, pid, purpose, versions)


def _render(request, actor, pid, purpose, versions, *, note_form=None, status=200):
    context = item_context(request, actor, pid, purpose, versions, note_form=note_form)
    context["parents"] = masks.parents_choice(
        actor, pid, versions[0].resource["resourceType"], versions[0].resource["id"]
    )
    return render(request, "records/item.html", context, status=status)


def item_context(request, actor, pid, purpose, versions, *, note_form=None, linked=True) -> dict:
    """What an item's page shows, from its versions read through ``services.provenance``;
    with ``linked``, a report's results and what a visit holds (the person's pages)."""
    current = versions[0].resource
    first = versions[-1]
    refs = {f"Practitioner/{r.rpartition('/')[2]}" for r in _refs(current)}
    shared = {f"{r['resourceType']}/{r['id']}": r for r in services.shared_for(_pairs(refs))}
    result = None
    latest = None
    if current.get("resourceType") == "Observation":
        series = []
        key = views_results.code_key(current)
        if key:
            try:
                series = services.search(
                    actor, pid, "Observation", purpose, code=[key], count=SERIES_MAX
                ).resources
            except NotFound:
                series = []
        series = same_context(current, series)
        latest = series[0] if series else None
        result = views_results.result_context(current, series, first.source)
        if words.is_heart_rate(current):  # « Fréquence cardiaque pendant l'effort au fil du temps »
            result["name"] = words.title(current)
    own_record = purpose == "self"
    document = None
    if current.get("resourceType") == "DocumentReference":
        try:  # its own words and files, read through access like the item
            document = document_files.reading(actor, current["id"], purpose)
        except NotFound:
            document = None
    history = [
        {
            "version": v.version,
            "when": timezone.localtime(v.recorded_at),
            "by": recorded_by(v, request.user),
            "title": words.title(v.resource),
            "value": words.value(v.resource),
            "notes": [n.get("text") for n in v.resource.get("note") or [] if n.get("text")],
        }
        for v in versions
    ]
    warnings = []
    for v in versions:
        for w in (v.details or {}).get("warnings") or []:
            text = explain_warning(w)
            if text not in warnings:
                warnings.append(text)
    context = {
        "warnings": warnings,
        "item_id": current["id"],
        "resource": current,
        "kind": words.kind(current),
        "title": words.title(current),
        "value": words.value(current) if current.get("resourceType") == "Observation" else "",
        "when": words.when(current),
        "who": who_of(current, shared),
        "status": words.label(current.get("clinicalStatus")),
        "first": {
            "by": recorded_by(first, request.user),
            "when": timezone.localtime(first.recorded_at),
        },
        "changed": len(versions) > 1,
        "last": {
            "by": recorded_by(versions[0], request.user),
            "when": timezone.localtime(versions[0].recorded_at),
        },
        "from_practitioner": first.source == Source.PRACTITIONER,
        "confirmed": confirmation(current, shared),
        "result": result,
        "report": report_results(actor, pid, purpose, current)
        if linked and current.get("resourceType") == "DiagnosticReport"
        else None,
        "visit": visit_contents(actor, pid, purpose, current)
        if linked and current.get("resourceType") == "Encounter"
        else [],
        "document": document,
        "fresh": freshness(current, _newest_of_topic(actor, pid, purpose, current) or latest)
        if own_record
        else None,
        "history": history if len(versions) > 1 else [],
        "can_note": own_record and _noted(current),
        "can_correct": own_record and first.source == Source.SELF,
        "note_form": note_form or NoteForm(),
        "mine": (result or {}).get("my_notes")
        if result
        else views_results.comments(current, first.source)[1],
        "pro_notes": (result or {}).get("pro_comments")
        if result
        else views_results.comments(current, first.source)[0],
    }
    context["pro_notes_from_file"] = views_results.from_file(context["pro_notes"] or [])
    return context


def _refs(resource: dict) -> set[str]:
    return search.who_refs(resource) | {
        (n.get("authorReference") or {}).get("reference", "")
        for n in resource.get("note") or []
        if str((n.get("authorReference") or {}).get("reference", "")).startswith("Practitioner/")
    }


def _pairs(refs: set[str]) -> set[tuple[str, str]]:
    out = set()
    for ref in refs:
        t, _sep, i = ref.partition("/")
        if t and i:
            out.add((t, i))
    return out


# --- Annotate, correct, confirm still right -----------------------------------------------------


@login_required
@require_POST
def annotate(request, item_id: str):
    actor, pid, purpose, versions = _load(request, item_id)
    form = NoteForm(request.POST)
    if purpose != "self" or not _noted(versions[0].resource):
        raise Http404()
    if not form.is_valid():
        return _render(request, actor, pid, purpose, versions, note_form=form, status=400)
    text = form.cleaned_data["text"].strip()

    def add_note(resource: dict) -> dict:
        note = {"text": text, "time": timezone.now().isoformat(timespec="seconds")}
        patient = _patient_ref(resource)
        if patient:
            note["authorReference"] = patient
        else:
            note["authorString"] = str(request.user)
        resource["note"] = [*(resource.get("note") or []), note]
        return resource

    try:
        services.revise(actor, pid, item_id, purpose, add_note)
    except NotFound:
        raise Http404() from None
    messages.success(request, _("Your note was added. The earlier version is kept in the history."))
    return redirect("records:item", item_id=item_id)


def _patient_ref(resource: dict) -> dict | None:
    for key in ("subject", "patient"):
        ref = (resource.get(key) or {}).get("reference") or ""
        if ref.startswith("Patient/"):
            return {"reference": ref}
    return None


class CorrectForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What it is"), max_length=300, required=False)
    day = forms.DateField(
        label=gettext_lazy("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    value = forms.DecimalField(
        label=gettext_lazy("Value"), required=False, max_digits=12, decimal_places=4
    )


DATE_FIELDS = (
    "effectiveDateTime",
    "occurrenceDateTime",
    "onsetDateTime",
    "recordedDate",
    "authoredOn",
    "dateAsserted",
    "date",
    "performedDateTime",
    "issued",
)


def _date_field(resource: dict) -> str | None:
    return next((f for f in DATE_FIELDS if isinstance(resource.get(f), str)), None)


def _concept_field(resource: dict) -> str | None:
    for name in ("code", "vaccineCode", "medicationCodeableConcept"):
        if isinstance(resource.get(name), dict):
            return name
    return None


@login_required
def correct(request, item_id: str):
    actor, pid, purpose, versions = _load(request, item_id)
    current, first = versions[0].resource, versions[-1]
    if purpose != "self" or first.source != Source.SELF:
        raise Http404()
    concept, date_field = _concept_field(current), _date_field(current)
    has_value = isinstance((current.get("valueQuantity") or {}).get("value"), int | float)
    initial = {
        "title": words.label(current.get(concept)) if concept else "",
        "day": dates.day(current.get(date_field)) or timezone.localdate() if date_field else None,
        "value": current["valueQuantity"]["value"] if has_value else None,
    }
    form = CorrectForm(request.POST or None, initial=initial)
    if not concept:
        del form.fields["title"]
    if not date_field:
        del form.fields["day"]
    if not has_value:
        del form.fields["value"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def apply(resource: dict) -> dict:
            if concept and data.get("title"):
                resource[concept] = {**resource[concept], "text": data["title"].strip()}
            if date_field and data.get("day"):
                resource[date_field] = data["day"].isoformat()
            if has_value and data.get("value") is not None:
                v = float(data["value"])
                resource["valueQuantity"]["value"] = int(v) if v == int(v) else v
            return resource

        try:
            services.revise(actor, pid, item_id, purpose, apply, own_entries_only=True)
        except (NotFound, services.NotYours):
            raise Http404() from None
        except fhir.InvalidResource:
            form.add_error(None, _("This correction cannot be saved: check the values."))
        else:
            messages.success(
                request, _("Your correction was saved. The earlier version is kept in the history.")
            )
            return redirect("records:item", item_id=item_id)
    return render(
        request,
        "records/item_correct.html",
        {"form": form, "item_id": item_id, "title": words.title(current)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def still_right(request, item_id: str):
    """The person says the item is still right: noted on the item (a new version) and on the
    reminders' topic, so that neither prompts again before its time."""
    actor, pid, purpose, versions = _load(request, item_id)
    topic = _topic_of(versions[0].resource)
    if purpose != "self" or topic is None or not topic.get("confirm", True):
        raise Http404()

    def mark(resource: dict) -> dict:
        others = [e for e in resource.get("extension") or [] if e.get("url") != STILL_RIGHT]
        now = timezone.now().isoformat(timespec="seconds")
        resource["extension"] = [*others, {"url": STILL_RIGHT, "valueDateTime": now}]
        return resource

    try:
        services.revise(actor, pid, item_id, purpose, mark)
        reminders.confirm(actor, pid, topic["id"])
    except NotFound:
        raise Http404() from None
    messages.success(request, _("Thank you: this item is marked as still right today."))
    return redirect("records:item", item_id=item_id)


def parents_message(hidden: bool) -> str:
    if hidden:
        return _("Done: the parents see no trace of this item. Nobody tells them.")
    return _("Done: the parents can see this item again.")


@login_required
@require_POST
def parents(request, item_id: str):
    """A minor of 15 or more hides one item from their parents (or shows it again)."""
    actor, pid, purpose, versions = _load(request, item_id)
    hidden = request.POST.get("not_parents") == "on"
    if purpose != "self":
        raise Http404()
    try:
        masks.keep_from_parents(
            actor, pid, versions[0].resource["resourceType"], item_id, confidential=hidden
        )
    except NotFound:
        raise Http404() from None
    messages.success(request, parents_message(hidden))
    return redirect("records:item", item_id=item_id)
