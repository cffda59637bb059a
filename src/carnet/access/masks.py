"""Per-item masks: the person decides who besides them may see one item.

Audiences: ``care_team`` (default: whoever has access to that kind of item),
``referent`` (only my médecin traitant), ``self`` (only me). Independently an item can be
kept out of emergencies, and a minor of 15 or more can keep an item confidential from
their parents (art. L1111-5 of the French public health code).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import services
from .models import AUDIENCES, ItemMask, Proxy
from .services import Action, Actor, NotFound, Purpose


# Whose record an item is in: the record store tells (``records`` registers its
# ``services.owner_patient_of`` when the app is ready), so that access neither reads records'
# tables nor imports records, which imports access. Until then no item exists (deny by default).
def _no_item(resource_type: str, fhir_id: str) -> int | None:
    return None


_owner_of: Callable[[str, str], int | None] = _no_item


def register_item_owner(owner_of: Callable[[str, str], int | None]) -> None:
    """Tell masks how to find the record an item is in (``owner_of(resource_type, fhir_id)``)."""
    global _owner_of
    _owner_of = owner_of


def _existing(patient_id: int, resource_type: str, fhir_id: str) -> bool:
    return _owner_of(resource_type, fhir_id) == patient_id


def set_mask(
    actor: Actor,
    patient_id: int,
    resource_type: str,
    fhir_id: str,
    *,
    audience: str = "care_team",
    hide_in_emergency: bool = False,
) -> None:
    """Choose who sees one item: ``care_team``, ``referent`` or ``self``; and emergencies.

    The person (or a parent / legal representative who manages the record) only. Takes
    effect on the next request. NotFound when the item is not in this record.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    decision, purpose = services.authorize_consent(actor, patient_id, Action.MASK)
    if not _existing(patient_id, resource_type, fhir_id) or _kept_from(
        decision, patient_id, resource_type, fhir_id
    ):
        raise NotFound()
    _save_mask(
        actor,
        patient_id,
        resource_type,
        fhir_id,
        purpose,
        decision,
        {"audience": audience, "hide_in_emergency": hide_in_emergency},
        f"{audience}" + (", hidden in emergencies" if hide_in_emergency else ""),
    )


def _kept_from(decision, patient_id: int, resource_type: str, fhir_id: str) -> bool:
    """Whether the item is kept from this permit's holder (a parent, for a minor's secret):
    they may not change, nor learn by trying, anything about it."""
    view = decision.view
    return bool(
        view is not None
        and view.hide_parent_confidential
        and ItemMask.objects.filter(
            patient_id=patient_id,
            resource_type=resource_type,
            fhir_id=fhir_id,
            hide_from_parents=True,
        ).exists()
    )


def _save_mask(actor, patient_id, resource_type, fhir_id, purpose, decision, fields, what):
    """Create or change an item's mask and audit it, in one transaction."""
    with transaction.atomic():
        mask, _ = ItemMask.objects.get_or_create(
            patient_id=patient_id,
            resource_type=resource_type,
            fhir_id=fhir_id,
            defaults={"updated_at": timezone.now()},
        )
        for name, value in fields.items():
            setattr(mask, name, value)
        mask.updated_at = timezone.now()
        mask.save()
        services.record(
            actor,
            patient_id,
            Action.MASK,
            purpose,
            decision,
            resource_type=resource_type,
            count=1,
            what=f"{resource_type}/{fhir_id}: {what}",
        )


def minor_may_keep_confidential(patient_id: int, now=None) -> bool:
    """Whether the record is a minor's of 15 or more (a parent's authority ends at 18)."""
    now = now or timezone.now()
    ends = (
        Proxy.objects.filter(patient_id=patient_id, basis="parent", expires_at__isnull=False)
        .values_list("expires_at", flat=True)
        .first()
    )
    return ends is not None and years_before(ends, 3) <= now < ends


def years_before(when, years: int):
    """The same date ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return when.replace(year=when.year - years)
    except ValueError:
        return when.replace(year=when.year - years, day=28)


def keep_from_parents(
    actor: Actor, patient_id: int, resource_type: str, fhir_id: str, confidential: bool = True
) -> None:
    """A minor of 15+ keeps one item confidential from their parents (or lifts it).

    Asked by the minor themself (their own login) or recorded by a practitioner who has
    access to the record, as the law has the doctor note the minor's opposition. Parents
    cannot lift it: their proxy is denied this action. NotFound otherwise.
    """
    purpose = services.purpose_for(actor, patient_id)
    if purpose not in (Purpose.SELF, Purpose.TREATMENT):
        purpose = Purpose.SELF
    action = Action.MASK if purpose == Purpose.SELF else Action.UPDATE
    decision = services.require(actor, patient_id, action, purpose, audit_now=False)
    if not minor_may_keep_confidential(patient_id) or not _existing(
        patient_id, resource_type, fhir_id
    ):
        raise NotFound()
    _save_mask(
        actor,
        patient_id,
        resource_type,
        fhir_id,
        purpose,
        decision,
        {"hide_from_parents": confidential},
        "confidential from parents" if confidential else "visible to parents",
    )


def parents_choice(actor: Actor, patient_id: int, resource_type: str, fhir_id: str) -> bool | None:
    """Whether one item is kept from the parents, for whoever may change that: the minor of
    15 or more themself, or a practitioner who may write in the record for care. None for
    anyone else (a parent among them), and for a record that is not a minor's of 15+.

    Decided, not audited: for the item page to show the checkbox (call after a permit).
    """
    if not minor_may_keep_confidential(patient_id):
        return None
    purpose = services.purpose_for(actor, patient_id)
    if purpose == Purpose.SELF:
        action = Action.MASK
    elif purpose == Purpose.TREATMENT and actor.role == "practitioner":
        action = Action.UPDATE
    else:
        return None
    if not services.decide(actor, patient_id, action, purpose).permit:
        return None
    return ItemMask.objects.filter(
        patient_id=patient_id,
        resource_type=resource_type,
        fhir_id=fhir_id,
        hide_from_parents=True,
    ).exists()


def may_keep_from_parents_on_entry(actor: Actor, patient_id: int) -> bool:
    """Whether a practitioner's entry form offers « confidential from the parents »."""
    return (
        actor.role == "practitioner"
        and minor_may_keep_confidential(patient_id)
        and services.decide(actor, patient_id, Action.UPDATE, Purpose.TREATMENT).permit
    )


def masks_of(patient_id: int) -> dict[tuple[str, str], dict]:
    """The person's masks, by (type, id), for the sharing page (call after a permit)."""
    return {
        (m.resource_type, m.fhir_id): {
            "audience": m.audience,
            "hide_in_emergency": m.hide_in_emergency,
            "hide_from_parents": m.hide_from_parents,
        }
        for m in ItemMask.objects.filter(patient_id=patient_id)
    }


def restricted_by_type(patient_id: int) -> dict[str, int]:
    """How many items of each type the person shows to fewer people than usual."""
    counts: dict[str, int] = {}
    restricted = ItemMask.objects.filter(patient_id=patient_id).filter(
        ~Q(audience="care_team") | Q(hide_in_emergency=True)
    )
    for rtype in restricted.values_list("resource_type", flat=True):
        counts[rtype] = counts.get(rtype, 0) + 1
    return counts


def labels_for(patient_id: int, resource_type: str, fhir_id: str) -> list[str]:
    """The mask labels of one item (``mask:referent``, ``mask:self``, ``mask:no-emergency``…)."""
    m = ItemMask.objects.filter(
        patient_id=patient_id, resource_type=resource_type, fhir_id=fhir_id
    ).first()
    if m is None:
        return []
    out = []
    if m.audience != "care_team":
        out.append(f"mask:{m.audience}")
    if m.hide_in_emergency:
        out.append("mask:no-emergency")
    if m.hide_from_parents:
        out.append("mask:not-parents")
    return out


def hidden_ids(patient_id: int, view) -> QuerySet | None:
    """Ids of the items a view must not show because of masks (a subquery), or None."""
    if view.all:
        return None
    cond = Q()
    if view.emergency:
        cond = Q(audience="self") | Q(hide_in_emergency=True)
    else:
        if view.hidden_audiences:
            cond |= Q(audience__in=sorted(view.hidden_audiences))
        if view.hide_parent_confidential:
            cond |= Q(hide_from_parents=True)
    if not cond:
        return None
    return ItemMask.objects.filter(cond, patient_id=patient_id).values("fhir_id")


def referent_only_ids(patient_id: int) -> QuerySet:
    return ItemMask.objects.filter(patient_id=patient_id, audience="referent").values("fhir_id")
