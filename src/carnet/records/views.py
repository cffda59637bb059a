"""The record's pages: importing a file (as a background job) and downloading a copy."""

from __future__ import annotations

import io
import json
import re
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from carnet.access import acting, proxies
from carnet.access import services as access
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.reauth import confirm_identity

from . import dates, exports, imports, tasks, words
from . import services as records

# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


# --- Upload --------------------------------------------------------------------------------


class MemoryOnlyUpload(FileUploadHandler):
    """Keeps an uploaded file in memory only, and stops reading past the size limit.

    Django's default handlers spool big uploads to a temporary file in clear; a health
    record must never land on disk unencrypted, so this handler replaces them.
    """

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_big = False
        self.buffer: io.BytesIO | None = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_big = True
            self.buffer = None
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def _megabytes(n: int) -> str:
    return number_format(n / (1024 * 1024), decimal_pos=0 if n % (1024 * 1024) == 0 else 1)


def _import_form(request, *, error: str = "", status: int = 200):
    return render(
        request,
        "records/import.html",
        {"error": error, "limit": _megabytes(settings.CARNET_MAX_IMPORT_BYTES)},
        status=status,
    )


@login_required
@csrf_exempt  # the CSRF check runs in _receive_upload, once the upload handlers are set
def import_page(request):
    found = acting.whose(request, "manage")
    # The upload is sealed under the key of one's own record, the file goes to ``found``'s.
    own = accounts.patient_of(request.user)
    if found is None or own is None:
        return render(request, "records/no_record.html")
    if request.method != "POST":
        return _import_form(request)
    limit = settings.CARNET_MAX_IMPORT_BYTES
    # Refuse an announced oversize body before reading any of it.
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > limit + MULTIPART_OVERHEAD:
        return _too_big(request)
    handler = MemoryOnlyUpload(request, limit)
    request.upload_handlers = [handler]
    return _receive_upload(request, own.pk, found.patient_id, handler)


def _too_big(request):
    return _import_form(
        request,
        error=_(
            "This file is too big: the limit is %(limit)s MB. Export a shorter period from the service the file comes from, or split it into several files."
        )
        % {"limit": _megabytes(settings.CARNET_MAX_IMPORT_BYTES)},
        status=413,
    )


@csrf_protect
def _receive_upload(request, own_id: int, target_id: int, handler):
    upload = request.FILES.get("file")
    if handler.too_big:
        return _too_big(request)
    if upload is None or upload.size == 0:
        return _import_form(
            request,
            error=_("Choose a file to import first, then press “Import this file”."),
            status=400,
        )
    data = upload.read()
    job_id = uuid.uuid4().hex
    # The upload waits sealed under the uploader's own record key (a relative's file too).
    permit = tasks.upload_permit(Actor.of_user(request.user), own_id)
    sealed, sealed_name = tasks.seal(permit, job_id, data, upload.name or "")
    del data
    tasks.set_status(
        job_id,
        owner=request.user.pk,
        patient=own_id,
        state=tasks.QUEUED,
        done=0,
        total=None,
        created_at=timezone.now().isoformat(),
    )
    target = target_id if target_id != own_id else None  # a relative's record: as a proxy
    tasks.import_upload(job_id, request.user.pk, own_id, sealed, sealed_name, target)
    return redirect("records:import_job", job_id=job_id)


# --- Progress ---------------------------------------------------------------------------------


def _job_of(request, job_id: str) -> dict:
    """The job's status, if it is this person's; anything else is not found."""
    status = tasks.get_status(job_id) if JOB_ID.match(job_id) else None
    if not status or status.get("owner") != request.user.pk:
        raise Http404()
    return status


def _progress_text(status: dict) -> str:
    done, total = status.get("done") or 0, status.get("total")
    if total is None:
        return _("Checking the file…")
    return ngettext("%(done)s / %(total)s item", "%(done)s / %(total)s items", total) % {
        "done": number_format(min(done, total), force_grouping=True),
        "total": number_format(total, force_grouping=True),
    }


def _waits(state) -> bool:
    """Whether the job's page is final for now: finished, or waiting for the person."""
    return state in tasks.FINISHED or state == tasks.ASK


def relatives_to_import_for(user) -> list[dict]:
    """The relatives whose record this person manages and may import into, by name."""
    actor = Actor.of_user(user)
    return [
        {"patient_id": info.patient_id, "name": records.represented_name(user, info)}
        for info in proxies.represented_by(user)
        if access.decide(actor, info.patient_id, access.Action.IMPORT, Purpose.PROXY).permit
    ]


@login_required
def import_job(request, job_id: str):
    status = _job_of(request, job_id)
    state = status.get("state")
    context = {
        "job_id": job_id,
        "status": status,
        "state": state,
        "finished": _waits(state),
        "progress_text": _progress_text(status),
    }
    if state == tasks.ASK:
        context.update(_question(request, job_id, status))
    if state == tasks.DONE:
        context["kinds"] = words.summarise(status.get("by_type") or {})
        # Count what the person sees listed (their identity card is not a health datum).
        context["added"] = sum(n for _key, _label, n in context["kinds"])
        context["warnings"] = [
            {"id": w.get("id"), "text": explain_warning(w)} for w in status.get("warnings") or []
        ]
        context["warning_count"] = status.get("warning_count") or 0
        context["left_out"] = [explain_left_out(x) for x in status.get("left_out") or []]
        context["document_id"] = status.get("document_id")
        context["duplicate"] = bool(status.get("duplicate"))
        context["already"] = [
            {**a, "date": _day_words(str(a.get("date") or ""))} for a in status.get("already") or []
        ]
        context["already_count"] = status.get("already_count") or 0
    elif state == tasks.REFUSED:
        context["refusal"] = explain_refusal(
            status.get("reason") or "",
            status.get("error") or "",
            entry=status.get("entry"),
            other_entry=status.get("other_entry"),
            retry_after=status.get("retry_after"),
        )
    return render(request, "records/import_job.html", context)


@login_required
@require_GET
def import_status(request, job_id: str):
    status = _job_of(request, job_id)
    return JsonResponse(
        {
            "state": status.get("state"),
            "done": status.get("done") or 0,
            "total": status.get("total"),
            "text": _progress_text(status),
            "finished": _waits(status.get("state")),
        }
    )


# --- Whose file is it? -------------------------------------------------------------------------

DIFFERENCE_WORDS = {
    "name": gettext_lazy("the name"),
    "birth_date": gettext_lazy("the date of birth"),
    "identifier": gettext_lazy("the patient number"),
}


def _day_words(day: str) -> str:
    """« 28 septembre 2009 » for 2009-09-28 (a year or month alone stays as written)."""
    whole = dates.whole_day(day)
    return date_format(whole, "DATE_FORMAT") if whole else day


def _person_words(person: dict) -> str:
    name = person.get("name") or _("someone whose name the file does not give")
    born = person.get("birth_date") or ""
    if not born:
        return name
    whole = dates.whole_day(born)
    day = date_format(whole, "DATE_FORMAT") if whole else born
    return _("%(name)s, born on %(day)s") % {"name": name, "day": day}


def _question(request, job_id: str, status: dict) -> dict:
    """What the page asks when the file is about someone else than the record's person."""
    own = accounts.patient_of(request.user)
    asked = (
        tasks.question(status, tasks.upload_permit(Actor.of_user(request.user), own.pk), job_id)
        if own is not None
        else {}
    )
    target = status.get("target")
    managed = relatives_to_import_for(request.user)
    return {
        "into_own": own is not None and target == own.pk,
        "target_name": next((r["name"] for r in managed if r["patient_id"] == target), ""),
        "relatives": [r for r in managed if r["patient_id"] != target],
        "file_person": _person_words(asked.get("file_person") or {}),
        "record_person": _person_words(asked.get("record_person") or {}),
        "differs": [
            str(DIFFERENCE_WORDS[f]) for f in asked.get("differs") or [] if f in DIFFERENCE_WORDS
        ],
    }


CHOICE_RE = re.compile(r"^(mine|mine-take-details|cancel|relative-(\d{1,18}))$")


@login_required
@require_POST
def import_choice(request, job_id: str):
    """The person says whose file it is: theirs, a relative's, or a mistake."""
    status = _job_of(request, job_id)
    if status.get("state") != tasks.ASK:
        return redirect("records:import_job", job_id=job_id)
    own = accounts.patient_of(request.user)
    match = CHOICE_RE.match(request.POST.get("choice", ""))
    target, person = status.get("target"), None
    if match and match.group(1) == "cancel":
        tasks.take_upload(job_id)
        tasks.set_status(job_id, state=tasks.CANCELLED)
        return redirect("records:import_job", job_id=job_id)
    managed = {r["patient_id"] for r in relatives_to_import_for(request.user)}
    if match and match.group(2):
        if int(match.group(2)) in managed:
            target, person = int(match.group(2)), imports.CHECK  # compared with theirs
    elif match and own is not None and (target == own.pk or target in managed):
        # The file is about the record's person: keep their details, or take the file's.
        person = match.group(1)
    kept = tasks.take_upload(job_id) if person else None
    if person is None or kept is None or own is None:
        context = {"job_id": job_id, "status": status, "state": tasks.ASK, "finished": True}
        context.update(_question(request, job_id, status))
        context["choice_error"] = (
            _("Choose one of the answers below.")
            if person is None
            else _("This file is no longer kept: import it again, please.")
        )
        return render(request, "records/import_job.html", context, status=400)
    tasks.set_status(job_id, state=tasks.QUEUED, done=0, total=None)
    tasks.import_upload(job_id, request.user.pk, own.pk, *kept, target, person)
    return redirect("records:import_job", job_id=job_id)


def explain_refusal(
    reason: str,
    message: str,
    *,
    entry: int | None = None,
    other_entry: int | None = None,
    retry_after: int | None = None,
) -> dict:
    """Plain words for why a file was refused and what to do next.

    The importer gives a reason code and the entry at fault, and a technical message (in
    English, for the people who produce FHIR files); the person gets a translated
    explanation and a next step, with the technical detail kept underneath.
    """
    if reason == "too_big":
        title = _("This file is too big.")
        advice = _(
            "The limit is %(limit)s MB. Export a shorter period from the service the file comes from, or split it into several files."
        ) % {"limit": _megabytes(settings.CARNET_MAX_IMPORT_BYTES)}
    elif reason == "several_people":
        title = _("This file holds the records of several people (items %(a)s and %(b)s).") % {
            "a": entry,
            "b": other_entry,
        }
        advice = _("Import only your own record: one file per person.")
    elif reason == "entry":
        title = _("Item number %(n)s of the file has a problem.") % {"n": entry}
        advice = _(
            "Nothing was imported: a file goes in whole or not at all. Ask the service that made the file for a corrected one, or remove that item, then import the file again."
        )
    elif reason == "unreadable":
        title = _("Carnet cannot read this file.")
        advice = _(
            "Check that you chose the right file, in JSON format, and that it is complete: a download that stopped halfway gives a cut-off file. Then try again."
        )
    elif reason == "not_bundle":
        title = _("This file is not a set of health data that Carnet can import.")
        advice = _(
            "Ask the service the file comes from for an export of the whole record in FHIR format (a “Bundle”), then import that file."
        )
    elif reason == "busy":
        title = _("Another file is being imported into this record.")
        advice = _(
            "Nothing was changed. Wait until that import is finished (a big file can take a few minutes), then import this file again."
        )
    elif reason == "too_many":
        minutes = max(1, -(-(retry_after or 3600) // 60))
        title = _("You have imported many files in the last hour.")
        advice = ngettext(
            "Nothing was changed. So that Carnet stays quick for everyone, wait %(minutes)s minute, then import this file again.",
            "Nothing was changed. So that Carnet stays quick for everyone, wait %(minutes)s minutes, then import this file again.",
            minutes,
        ) % {"minutes": minutes}
    else:
        title = _("This file could not be imported.")
        advice = _(
            "Nothing was changed in your record. Check the file, or ask the service it comes from for a new one, then try again."
        )
    return {"title": title, "advice": advice, "detail": message}


def explain_left_out(part: dict) -> str:
    """Plain words for a part of a document that Carnet did not turn into items."""
    section, n = str(part.get("section") or ""), int(part.get("count") or 1)
    if part.get("what") == "text":
        return _("“%(section)s”: text only") % {"section": section}
    if part.get("what") == "file":
        return _("“%(section)s”: an attached file Carnet cannot show") % {"section": section}
    return ngettext(
        "“%(section)s”: %(n)s item Carnet cannot sort yet",
        "“%(section)s”: %(n)s items Carnet cannot sort yet",
        n,
    ) % {"section": section, "n": n}


def explain_warning(warning: dict) -> str:
    """Plain words for a warning an import kept on an item (a wrong code)."""
    code = str(warning.get("code") or "")
    if "snomed" in str(warning.get("system") or ""):
        return _(
            "The code “%(code)s” given by the file is not a valid SNOMED CT code (probably a typing error in the file). The item was kept as the file gives it."
        ) % {"code": code}
    return _(
        "The code “%(code)s” given by the file is not valid in its code system. The item was kept as the file gives it."
    ) % {"code": code}


# --- Export ------------------------------------------------------------------------------------


@login_required
def export_page(request):
    found = acting.whose(request, "manage")
    if found is None:
        return render(request, "records/no_record.html")
    return _export(request, found)


@confirm_identity
def _export(request, found):
    """The whole record leaves Carnet's protection: the person confirms who they are first."""
    if request.method != "POST":
        return render(request, "records/export.html")
    kind = request.POST.get("format")
    # The file name says what and when, never whose or what about.
    stamp = timezone.localdate().isoformat()
    if kind == "zip":
        body = exports.export_zip(found.actor, found.patient_id, found.purpose)
        response = HttpResponse(body, content_type="application/zip")
        name = f"carnet-{stamp}.zip"
    elif kind == "json":
        bundle = exports.export_bundle(found.actor, found.patient_id, found.purpose)
        response = HttpResponse(
            json.dumps(bundle, ensure_ascii=False, indent=1).encode(),
            content_type="application/fhir+json; charset=utf-8",
        )
        name = f"carnet-{stamp}.json"
    else:
        return render(
            request,
            "records/export.html",
            {"error": _("Choose one of the two formats below.")},
            status=400,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
