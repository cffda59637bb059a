"""A practitioner adds to a record the person shares with them in writing ("Read, and add
to my record"): a measurement, a vaccination they gave, an allergy, a consultation note.

The forms and builders are the person's own (``entries``), with the practitioner as
author and purpose *care*: ``access`` lets them write only within a live write grant's
categories and level, each item is audited in the person's access history, shows "added
by Dr X, <profession>", and the person is told (without what) by ``notify``. Without a
live grant the answer is the same 404 as for a record that does not exist; with a
read-only grant, or for a kind the grant does not cover, a 403 says what to do next.
"""

from __future__ import annotations

import logging

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from carnet.access import labels as access_labels
from carnet.access import masks
from carnet.access.services import NotFound

from . import entries, forms, views_pro
from .fhir import InvalidResource

log = logging.getLogger("carnet.records")


def _writing(request, patient_id: int):
    """(actor, what they may add or None, the header's context); 404 without a live grant."""
    actor = views_pro._practitioner(request)
    permit = views_pro._permit(actor, patient_id)
    context = views_pro._context(actor, patient_id, permit)
    return actor, entries.writable_kinds(actor, patient_id), context


NOT_PARENTS = "not_parents"


def _with_parents_box(form, offer: bool):
    """The entry form, with « confidential from the parents » for a minor of 15 or more."""
    if offer:
        form.fields[NOT_PARENTS] = django_forms.BooleanField(
            label=gettext_lazy("Confidential from the parents"),
            required=False,
            help_text=gettext_lazy(
                "The young person asked that their parents do not know about this care "
                "(from 15). Their parents will see no trace of it; they do."
            ),
        )
    return form


def _category_words(slugs) -> list[str]:
    names = dict(access_labels.Category.choices)
    wanted = {entries.PRO_KINDS[s].category for s in slugs}
    return [str(names[c]) for c in access_labels.CATEGORIES if c in wanted]


@login_required
@require_http_methods(["GET"])
def entry_index(request, patient_id: int):
    """What the practitioner may add to this record, by kind; why not, when nothing."""
    _actor, kinds, context = _writing(request, patient_id)
    if not kinds:
        return render(
            request,
            "records/pro_entry_refused.html",
            {**context, "read_only": kinds is None},
            status=403,
        )
    measures = [(k, forms.MEASURES[k].label) for k in forms.MEASURES if k in kinds]
    context.update(
        kinds=kinds,
        measures=measures,
        categories=_category_words(kinds),
    )
    return render(request, "records/pro_entry_index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request, patient_id: int, kind: str):
    """One form; saved as the practitioner's, in the person's record, within the grant."""
    if kind not in entries.PRO_KINDS:
        raise Http404()
    actor, kinds, context = _writing(request, patient_id)
    if not kinds or kind not in kinds:
        names = dict(access_labels.Category.choices)
        return render(
            request,
            "records/pro_entry_refused.html",
            {
                **context,
                "read_only": kinds is None,
                "asked": names[entries.PRO_KINDS[kind].category],
                "categories": _category_words(kinds or {}),
            },
            status=403,
        )
    context.update(kind=entries.PRO_KINDS[kind], slug=kind)
    offer = masks.may_keep_from_parents_on_entry(actor, patient_id)
    if request.method != "POST":
        context["form"] = _with_parents_box(entries.form_for(kind, for_practitioner=True), offer)
        return render(request, "records/pro_entry_form.html", context)
    form = _with_parents_box(entries.form_for(kind, request.POST, for_practitioner=True), offer)
    context["form"] = form
    if not form.is_valid():
        return render(request, "records/pro_entry_form.html", context, status=400)
    try:
        saved = entries.add(
            actor,
            patient_id,
            kind,
            form,
            author=entries.practitioner_author(request.user),
            not_parents=offer and bool(form.cleaned_data.get(NOT_PARENTS)),
        )
    except NotFound:
        # The grant ended, or changed, between the form and the save: nothing was written.
        raise Http404() from None
    except InvalidResource as exc:
        log.warning("practitioner entry refused (%s)", type(exc).__name__)  # no input in logs
        form.add_error(
            None,
            _("This could not be saved. Check what you typed, shorten long texts, then try again."),
        )
        return render(request, "records/pro_entry_form.html", context, status=400)
    messages.success(
        request,
        _("Added to the record. The person is told that you added something, and sees it."),
    )
    return redirect("records:pro_item", patient_id=patient_id, item_id=saved["id"])
