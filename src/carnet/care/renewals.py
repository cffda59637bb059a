"""Renewals: the person asks a prescriber to renew a current treatment; only practitioners prescribe.

The person (or a proxy who may read the record) picks a current treatment and one of the
practitioners allowed to add to their record; the prescriber accepts (a new
MedicationRequest is written in the record *by the practitioner*, through
``records.services.create`` with the practitioner's actor and purpose ``treatment``, so
access decides and audits it), modifies the dosage before issuing it, or declines with a
message. What the treatment is and the prescriber's words are encrypted with the
patient's key; a practitioner reads them only after ``access`` permits, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from carnet.access import labels as access_labels
from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit, Purpose
from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.notify import services as notify
from carnet.records import current as records_current
from carnet.records import services as records
from carnet.records import words
from carnet.vault import sealed

from . import team
from .models import Renewal, RenewalStatus

TREATMENT_TYPES = ("MedicationRequest", "MedicationStatement")
MAX_ANSWER = 2000
CONTEXT_SUMMARY = "care.renewal.summary"
CONTEXT_ANSWER = "care.renewal.answer"


class RenewalRefused(ValueError):
    """The request or answer cannot be made as asked (the message says what to do)."""


class NotPrescriber(PermissionError):
    """Only health professionals prescribe."""


@dataclass(frozen=True)
class Prescriber:
    user_id: int
    name: str
    profession: str
    referent: bool


@dataclass(frozen=True)
class RenewalView:
    id: int
    patient_id: int
    practitioner_id: int
    practitioner: str
    treatment_type: str
    treatment_id: str
    title: str
    dosage: str
    status: str
    status_label: str
    answer: str
    issued_id: str
    created_at: datetime
    answered_at: datetime | None
    person: str = ""  # whose treatment: the account name, for the prescriber's inbox


# --- who may be asked ------------------------------------------------------------------------


def _may_prescribe(practitioner_id: int, patient_id: int) -> bool:
    """Whether access would let this practitioner add a prescription to the record (pure)."""
    user = User.objects.filter(pk=practitioner_id, role="practitioner", is_active=True).first()
    if user is None:
        return False
    probe = {"resourceType": "MedicationRequest", "id": "probe", "status": "active"}
    decision = access.decide(
        Actor.of_user(user),
        patient_id,
        Action.CREATE,
        Purpose.TREATMENT,
        tuple(access_labels.of_resource(probe)),
    )
    return decision.permit


def prescribers(actor: Actor, patient_id: int) -> list[Prescriber]:
    """The practitioners the person may ask: those their sharing lets add to the record.

    Asked by the person or their proxy (whoever manages the sharing settings: a proxy
    who may read the record asks the person's doctor too).
    """
    if access.purpose_for(actor, patient_id) not in (Purpose.SELF, Purpose.PROXY):
        return []
    found = [
        Prescriber(m.user_id, m.name, m.profession, m.referent)
        for m in team.members(patient_id)
        if _may_prescribe(m.user_id, patient_id)
    ]
    return sorted(found, key=lambda p: (not p.referent, p.name))


def current_treatments(actor: Actor, patient_id: int) -> list[records_current.Item]:
    """The person's current treatments (audited once, as a read of the summary)."""
    purpose = access.person_side(actor, patient_id, Action.READ, what="treatments")
    summary = records_current.summary(actor, patient_id, purpose)
    return [t for t in summary.treatments if t.resource_type in TREATMENT_TYPES]


# --- the person asks -------------------------------------------------------------------------


def _dosage_of(resource: dict) -> str:
    dosages = resource.get("dosageInstruction") or resource.get("dosage") or []
    return " ; ".join(d.get("text") for d in dosages if d.get("text"))


def _open(permit: Permit, blob, context: str) -> dict:
    return sealed.unseal_json(permit, blob, context) if blob else {}


def ask(
    actor: Actor, patient_id: int, treatment_type: str, treatment_id: str, practitioner_id: int
) -> Renewal:
    """Ask ``practitioner_id`` to renew one current treatment of the record.

    The person or their proxy only (a practitioner asking is answered as not found); the
    treatment is read through ``records`` (access decides and audits). Asking twice for
    the same treatment while one request waits returns the waiting one.
    """
    purpose = access.person_side(actor, patient_id, Action.MESSAGES, what="renewal")
    if treatment_type not in TREATMENT_TYPES:
        raise NotFound()
    if records.owner_patient_of(treatment_type, treatment_id) != patient_id:
        raise NotFound()
    permit, resource = records.read_with_permit(actor, treatment_type, treatment_id, purpose)
    if resource.get("status") not in ("active", "intended", "on-hold"):
        raise RenewalRefused("not a current treatment")
    if not any(p.user_id == practitioner_id for p in prescribers(actor, patient_id)):
        raise RenewalRefused("not a prescriber of this person")
    waiting = Renewal.objects.filter(
        patient_id=patient_id,
        treatment_type=treatment_type,
        treatment_id=treatment_id,
        status=RenewalStatus.PENDING,
    ).first()
    if waiting is not None:
        return waiting
    summary = {
        "title": words.title(resource),
        "dosage": _dosage_of(resource),
    }
    try:
        with transaction.atomic():
            renewal = Renewal.objects.create(
                patient_id=patient_id,
                practitioner_id=practitioner_id,
                asked_by_id=actor.user_id,
                treatment_type=treatment_type,
                treatment_id=treatment_id,
                summary=sealed.seal(permit, summary, CONTEXT_SUMMARY),
                created_at=timezone.now(),
            )
            notify.notify_user(
                practitioner_id, "renewal_request", key=f"renewal-request-{renewal.pk}"
            )
    except IntegrityError:
        # Another tap of the same request won the race: that one is the request.
        return Renewal.objects.get(
            patient_id=patient_id,
            treatment_type=treatment_type,
            treatment_id=treatment_id,
            status=RenewalStatus.PENDING,
        )
    return renewal


def for_person(actor: Actor, patient_id: int) -> list[RenewalView]:
    """The person's renewal requests, newest first, with the prescribers' answers."""
    purpose = access.person_side(actor, patient_id, Action.READ, what="renewals")
    permit = access.require(actor, patient_id, Action.READ, purpose, what="renewals")
    rows = Renewal.objects.filter(patient_id=patient_id).order_by("-created_at", "-id")[:100]
    return _views(rows, {patient_id: permit})


def waiting_since(actor: Actor, patient_id: int) -> dict[str, date]:
    """The treatments of the record with a renewal request waiting for an answer, and since
    when (treatment id -> local day asked), for the reminders: an asked renewal is done.

    Only for the person or their proxy, as ``access`` decides ({} otherwise); it says which
    treatment was asked about, not what it is, so the record read it goes with is the one
    audited."""
    purpose = access.purpose_for(actor, patient_id)
    if purpose not in (Purpose.SELF, Purpose.PROXY):
        return {}
    if not access.decide(actor, patient_id, Action.READ, purpose).permit:
        return {}
    rows = Renewal.objects.filter(patient_id=patient_id, status=RenewalStatus.PENDING)
    out: dict[str, date] = {}
    for treatment_id, created_at in rows.values_list("treatment_id", "created_at"):
        day = timezone.localtime(created_at).date()
        out[treatment_id] = min(day, out.get(treatment_id, day))
    return out


def _views(rows, permits: dict[int, Permit]) -> list[RenewalView]:
    """The requests as shown, each opened with the permit of its record (by patient id)."""
    rows = list(rows)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in={r.practitioner_id for r in rows})}
    people = accounts.account_names(r.patient_id for r in rows)
    labels = dict(RenewalStatus.choices)
    out = []
    for r in rows:
        summary = _open(permits[r.patient_id], r.summary, CONTEXT_SUMMARY)
        answer = _open(permits[r.patient_id], r.answer, CONTEXT_ANSWER)
        out.append(
            RenewalView(
                id=r.pk,
                patient_id=r.patient_id,
                practitioner_id=r.practitioner_id,
                practitioner=names.get(r.practitioner_id, ""),
                treatment_type=r.treatment_type,
                treatment_id=r.treatment_id,
                title=summary.get("title", ""),
                dosage=summary.get("dosage", ""),
                status=r.status,
                status_label=str(labels.get(r.status, r.status)),
                answer=answer.get("message", ""),
                issued_id=r.issued_id,
                created_at=r.created_at,
                answered_at=r.answered_at,
                person=people.get(r.patient_id, ""),
            )
        )
    return out


# --- the prescriber answers ------------------------------------------------------------------


def _prescriber(actor: Actor) -> None:
    if actor.role != "practitioner" or actor.user_id is None:
        raise NotPrescriber("only health professionals prescribe")


def inbox(actor: Actor) -> list[RenewalView]:
    """The requests waiting for this practitioner, oldest first.

    A request shows its treatment only while access lets the practitioner read the
    record (each record's read is decided and audited); the others are left out.
    """
    _prescriber(actor)
    rows = list(
        Renewal.objects.filter(
            practitioner_id=actor.user_id, status=RenewalStatus.PENDING
        ).order_by("created_at", "id")[:200]
    )
    shown = []
    allowed: dict[int, Permit | None] = {}
    for r in rows:
        if r.patient_id not in allowed:
            try:
                allowed[r.patient_id] = access.require(
                    actor,
                    r.patient_id,
                    Action.READ,
                    access.purpose_for(actor, r.patient_id),
                    what="renewal requests",
                )
            except NotFound:
                allowed[r.patient_id] = None
        if allowed[r.patient_id] is not None:
            shown.append(r)
    return _views(shown, allowed)


def _mine(actor: Actor, renewal_id: int) -> Renewal:
    _prescriber(actor)
    renewal = Renewal.objects.filter(pk=renewal_id, practitioner_id=actor.user_id).first()
    if renewal is None:
        raise NotFound()
    return renewal


def open_for_prescriber(actor: Actor, renewal_id: int) -> tuple[RenewalView, dict]:
    """One request and the treatment it names, read through ``records`` (access decides)."""
    renewal = _mine(actor, renewal_id)
    purpose = access.purpose_for(actor, renewal.patient_id)
    permit, source = records.read_with_permit(
        actor, renewal.treatment_type, renewal.treatment_id, purpose
    )
    return _views([renewal], {renewal.patient_id: permit})[0], source


def prescription_from(source: dict, actor: Actor, dosage: str | None, note: str) -> dict:
    """A new MedicationRequest renewing ``source``, written as the practitioner's order."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    new = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": source["subject"],
        "authoredOn": now,
        "requester": {"display": actor.label},
    }
    for key in ("medicationCodeableConcept", "medicationReference"):
        if key in source:
            new[key] = source[key]
    if dosage is None:
        dosage = _dosage_of(source)
    dosage = " ".join(dosage.split())
    if dosage:
        new["dosageInstruction"] = [{"text": dosage}]
    if source.get("reasonCode"):
        new["reasonCode"] = source["reasonCode"]
    if source["resourceType"] == "MedicationRequest":
        new["priorPrescription"] = {"reference": f"MedicationRequest/{source['id']}"}
    if note:
        new["note"] = [{"text": note, "time": now}]
    return new


def _claim(renewal: Renewal, status: str) -> bool:
    """Move a waiting request to ``status`` once: a second answer (another tab) finds none."""
    return bool(
        Renewal.objects.filter(pk=renewal.pk, status=RenewalStatus.PENDING).update(
            status=status, answered_at=timezone.now()
        )
    )


def issue(
    actor: Actor, renewal_id: int, *, dosage: str | None = None, note: str = ""
) -> tuple[Renewal, dict]:
    """Accept (``dosage`` None: as before) or modify (a new dosage) and issue the prescription.

    The MedicationRequest is created by ``records.services.create`` with the
    practitioner's actor and purpose ``treatment``: access decides, the record shows it
    as the practitioner's, and the audit entry lands with it. Raises NotFound when the
    practitioner may not (or no longer) add to the record.
    """
    note = " ".join((note or "").split())[:MAX_ANSWER]
    renewal = _mine(actor, renewal_id)
    if renewal.status != RenewalStatus.PENDING:
        raise RenewalRefused("already answered")
    if access.purpose_for(actor, renewal.patient_id) != Purpose.TREATMENT:
        raise NotFound()
    permit, source = records.read_with_permit(
        actor, renewal.treatment_type, renewal.treatment_id, Purpose.TREATMENT
    )
    modified = dosage is not None and " ".join(dosage.split()) != _dosage_of(source)
    status = RenewalStatus.MODIFIED if modified else RenewalStatus.ACCEPTED
    if not _claim(renewal, status):
        raise RenewalRefused("already answered")
    try:
        issued = records.create(
            actor,
            renewal.patient_id,
            prescription_from(source, actor, dosage, note),
            Purpose.TREATMENT,
        )
    except Exception:
        # Nothing was written: the request waits again for an answer.
        Renewal.objects.filter(pk=renewal.pk).update(status=RenewalStatus.PENDING, answered_at=None)
        raise
    Renewal.objects.filter(pk=renewal.pk).update(
        issued_id=issued["id"],
        answer=sealed.seal(permit, {"message": note}, CONTEXT_ANSWER) if note else None,
    )
    notify.notify_patient(renewal.patient_id, "renewal_answer", key=f"renewal-answer-{renewal.pk}")
    renewal.refresh_from_db()
    return renewal, issued


def decline(actor: Actor, renewal_id: int, message: str) -> Renewal:
    """Decline with a message to the person (required: they need to know what to do next)."""
    message = " ".join((message or "").split())[:MAX_ANSWER]
    if not message:
        raise RenewalRefused("a message is needed")
    renewal = _mine(actor, renewal_id)
    purpose = access.purpose_for(actor, renewal.patient_id)
    decision = access.require(
        actor, renewal.patient_id, Action.READ, purpose, audit_now=False, what="renewal"
    )
    with transaction.atomic():
        if not _claim(renewal, RenewalStatus.DECLINED):
            raise RenewalRefused("already answered")
        Renewal.objects.filter(pk=renewal.pk).update(
            answer=sealed.seal(decision, {"message": message}, CONTEXT_ANSWER)
        )
        access.record(
            actor,
            renewal.patient_id,
            Action.READ,
            purpose,
            decision,
            what=f"declined renewal of {renewal.treatment_type}/{renewal.treatment_id}",
        )
        notify.notify_patient(
            renewal.patient_id, "renewal_answer", key=f"renewal-answer-{renewal.pk}"
        )
    renewal.refresh_from_db()
    return renewal


def waiting_count(actor: Actor) -> int:
    """How many requests wait for this practitioner in records they may still read.

    For the workspace: counted without opening any request (decided, not audited).
    """
    _prescriber(actor)
    pids = list(
        Renewal.objects.filter(
            practitioner_id=actor.user_id, status=RenewalStatus.PENDING
        ).values_list("patient_id", flat=True)[:200]
    )
    allowed = {
        pid: access.decide(actor, pid, Action.READ, access.purpose_for(actor, pid)).permit
        for pid in set(pids)
    }
    return sum(1 for pid in pids if allowed[pid])
