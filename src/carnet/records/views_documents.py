"""Documents: the person adds PDFs and photos, sees them listed, opens and downloads them.

Uploads are read in memory only (never spooled to disk in clear) and stop at the size
limit (setting ``CARNET_MAX_DOCUMENT_BYTES``); files are checked by content and kept
encrypted. Opening a file goes through ``access`` (audited), so that a document of
someone else is answered as not found.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from carnet.access import acting
from carnet.access.services import Actor, NotFound

from . import document_files
from .forms import DateInput, _not_future
from .views import MULTIPART_OVERHEAD, MemoryOnlyUpload, _megabytes

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "text/xml": "xml",
    "application/xml": "xml",
}


def max_bytes() -> int:
    return int(getattr(settings, "CARNET_MAX_DOCUMENT_BYTES", DEFAULT_MAX_BYTES))


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The file or the photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    doc_type = forms.ChoiceField(
        label=gettext_lazy("What is it?"),
        choices=[(k, label) for k, label, _c, _d in document_files.TYPES],
    )
    title = forms.CharField(
        label=gettext_lazy("A short title (optional)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("For example “Blood test, March”."),
    )
    day = forms.DateField(
        label=gettext_lazy("Date of the document"), widget=DateInput, validators=[_not_future]
    )
    author = forms.CharField(
        label=gettext_lazy("Who wrote it? (optional)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A doctor, a laboratory, a hospital…"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()
        for field in self.fields.values():
            field.error_messages["required"] = gettext_lazy(
                "This field is needed: fill it in, then add the document again."
            )
        self.fields["file"].error_messages["required"] = gettext_lazy(
            "Choose a file or take a photo first, then press “Add the document”."
        )
        self.fields["file"].error_messages["empty"] = self.fields["file"].error_messages["required"]


def _page(request, found, form=None, *, error: str = "", status: int = 200):
    docs = document_files.listing(found.actor, found.patient_id, purpose=found.purpose)
    return render(
        request,
        "records/documents.html",
        {
            "form": form or DocumentForm(),
            "documents": docs,
            "error": error,
            "limit": _megabytes(max_bytes()),
        },
        status=status,
    )


@login_required
@csrf_exempt  # the CSRF check runs in _receive, once the upload handler is set
def documents_page(request):
    # Reading the list needs reading; adding a file, managing (``access.acting.whose``).
    patient = acting.whose(request, "read" if request.method != "POST" else "manage")
    if patient is None:
        return render(request, "records/no_record.html")
    if request.method != "POST":
        return _page(request, patient)
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > max_bytes() + MULTIPART_OVERHEAD:
        return _too_big(request, patient)
    handler = MemoryOnlyUpload(request, max_bytes())
    request.upload_handlers = [handler]
    return _receive(request, patient, handler)


def _too_big(request, patient):
    return _page(
        request,
        patient,
        error=_(
            "This file is too big: the limit is %(limit)s MB. Scan it at a lower resolution, or split it into several files, then add it again."
        )
        % {"limit": _megabytes(max_bytes())},
        status=413,
    )


@csrf_protect
def _receive(request, patient, handler):
    files = request.FILES  # parses the upload (the size check happens while reading)
    if handler.too_big:
        return _too_big(request, patient)
    form = DocumentForm(request.POST, files)
    if not form.is_valid():
        return _page(request, patient, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        document_files.add(
            patient.actor,
            patient.patient_id,
            upload.read(),
            doc_type=form.cleaned_data["doc_type"],
            title=form.cleaned_data["title"],
            day=form.cleaned_data["day"],
            author=form.cleaned_data["author"],
            purpose=patient.purpose,
        )
    except document_files.Refused as refused:
        form.add_error("file", str(refused.message))
        return _page(request, patient, form, status=400)
    except NotFound:
        raise Http404() from None
    messages.success(request, _("The document is in your record."))
    return redirect("records:documents")


def _serve(request, document_id: str, which: str, *, download: bool):
    try:
        content, content_type, _title = document_files.open_file(
            Actor.of_user(request.user), str(document_id), which
        )
    except NotFound:
        raise Http404() from None
    if content_type not in EXTENSIONS:
        content_type = "application/octet-stream"
    response = HttpResponse(content, content_type=content_type)
    # The file name says what kind of file, never whose or what about.
    name = f"document-{str(document_id)[:8]}.{EXTENSIONS.get(content_type, 'bin')}"
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_GET
def document_download(request, document_id: str):
    return _serve(request, document_id, "original", download=True)


@login_required
@require_GET
def document_file(request, document_id: str, n: int):
    """One of the files a document keeps (a CDA and the PDF it carries), downloaded."""
    return _serve(request, document_id, f"file:{n}", download=True)


@login_required
@require_GET
def document_preview(request, document_id: str):
    return _serve(request, document_id, "preview", download=False)
