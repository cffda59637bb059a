"""The reminders of a person: computing them, and the person's choices about them.

    overview(actor, patient_id, on)         -> Overview (every reminder, treatments, programmes)
    snooze / turn_off / turn_on / confirm   the person's choices about one reminder
    start_programme / stop_programme        a follow-up programme started or stopped
    record_intake                           "taken" / "skipped" for one scheduled intake
    adherence                               what was taken over the last days
    silence_intakes                         a treatment's intake alerts turned off or on
    share_adherence / adherence_shared      the person's choice to show adherence to care
    adherence_shared_among                  that choice for many records at once (one query)
    care_team_adherence                     what a practitioner sees when the person chose so
    add_entry / entries                     the person's own agenda events
    feed_* / feed_patient                   the private iCalendar feed

Reads of the record go through ``records`` (``access`` decides and audits); what is kept
here about a person's health is encrypted with their key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from carnet.access import services as access
from carnet.access.services import Action, Actor, NotFound, Permit, Purpose
from carnet.care import renewals as care_renewals
from carnet.records import services as records
from carnet.vault import sealed

from . import appointments, programmes, rules, stale, treatments, vaccination
from .base import Reminder, sort_key
from .models import (
    AdherenceSharing,
    AgendaEntry,
    Enrolment,
    Feed,
    Intake,
    ReminderState,
    Status,
)
from .record import Snapshot, load

SNOOZE_DAYS = (7, 30)


class Invalid(ValueError):
    """Bad input: nothing was changed; the message says why (in English, for logs)."""


class NotApplicable(Invalid):
    """A programme that cannot apply to the person (a pregnancy follow-up for a man)."""


@dataclass
class Overview:
    patient_id: int
    on: dt.date
    snapshot: Snapshot
    reminders: list[Reminder] = field(default_factory=list)
    treatments: list[treatments.Treatment] = field(default_factory=list)
    programmes: list[programmes.Active] = field(default_factory=list)
    # Immunization id -> the (rule, step) it counts for (vaccination.compute's credits).
    vaccine_credits: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def vaccines(self) -> list[vaccination.RecordedVaccine]:
        """Every vaccine of the record, with the calendar steps it counts for or why none."""
        return vaccination.recorded(self.snapshot, self.vaccine_credits, self.on)

    @property
    def permit(self) -> Permit | None:
        """The permit the record was read under (it opens the reminders' own data)."""
        return self.snapshot.permit

    def of_kind(self, kind: str) -> list[Reminder]:
        return [r for r in self.reminders if r.kind == kind]

    @property
    def pressing(self) -> list[Reminder]:
        return [r for r in self.reminders if r.active and not self.snoozed(r)]

    def snoozed(self, r: Reminder) -> bool:
        return bool(r.snoozed_until and r.snoozed_until > self.on)


# --- permission on the reminders' own data -------------------------------------------------


def _authorize_write(actor: Actor, patient_id: int, what: str):
    """The person (or a proxy who manages the record) may change their reminders."""
    purpose = access.person_side(actor, patient_id, Action.UPDATE, what=what)
    permit = access.require(actor, patient_id, Action.UPDATE, purpose, audit_now=False, what=what)
    return permit, purpose


# --- enrolments -----------------------------------------------------------------------------


def enrolments(permit: Permit) -> dict[str, dict]:
    """The programmes of the permit's record, started or stopped, by programme id."""
    out = {}
    rows = Enrolment.objects.filter(patient_id=sealed.patient_of(permit)).values_list(
        "programme_token", "payload"
    )
    for token, payload in rows:
        data = sealed.unseal_json(permit, payload, f"reminders/enrolment/{token}")
        out[data["programme"]] = data
    return out


def _save_enrolment(actor, patient_id: int, programme_id: str, data: dict, what: str) -> None:
    if programmes.by_id(programme_id) is None:
        raise Invalid(f"unknown programme {programme_id!r}")
    permit, purpose = _authorize_write(actor, patient_id, what)
    token = sealed.blind_index(permit, f"programme:{programme_id}")
    payload = sealed.seal(
        permit, {"programme": programme_id, **data}, f"reminders/enrolment/{token}"
    )
    with transaction.atomic():
        Enrolment.objects.update_or_create(
            patient_id=patient_id, programme_token=token, defaults={"payload": payload}
        )
        access.record(actor, patient_id, Action.UPDATE, purpose, permit, what=what)


def start_programme(actor: Actor, patient_id: int, programme_id: str, start: dt.date) -> None:
    """The person starts a programme (a pregnancy from the first day of the last period).

    Only a programme that can apply to the person (``programmes.offered``) may start."""
    today = timezone.localdate()
    if start > today or start < today - dt.timedelta(days=366):
        raise Invalid("the start date must be within the last year")
    prog = programmes.by_id(programme_id)
    if prog is None or not programmes.offered(prog, load(actor, patient_id), today):
        raise NotApplicable(f"programme {programme_id!r} does not apply to this person")
    _save_enrolment(
        actor,
        patient_id,
        programme_id,
        {"start": start.isoformat(), "status": "active"},
        "follow-up programme started",
    )


def stop_programme(actor: Actor, patient_id: int, programme_id: str) -> None:
    _save_enrolment(
        actor, patient_id, programme_id, {"status": "stopped"}, "follow-up programme stopped"
    )


def resume_programme(actor: Actor, patient_id: int, programme_id: str) -> None:
    if programmes.by_id(programme_id) is None:
        raise Invalid(f"unknown programme {programme_id!r}")
    permit, purpose = _authorize_write(actor, patient_id, "follow-up programme resumed")
    token = sealed.blind_index(permit, f"programme:{programme_id}")
    with transaction.atomic():
        Enrolment.objects.filter(patient_id=patient_id, programme_token=token).delete()
        access.record(
            actor, patient_id, Action.UPDATE, purpose, permit, what="follow-up programme resumed"
        )


# --- reminder states ------------------------------------------------------------------------


class _State(NamedTuple):
    snoozed_until: dt.date | None
    off: bool
    confirmed_on: dt.date | None


def _states(patient_id: int) -> dict[str, _State]:
    """The person's choices, by blind key (plain tuples: read for every person every day)."""
    rows = ReminderState.objects.filter(patient_id=patient_id).values_list(
        "key_token", "snoozed_until", "off", "confirmed_on"
    )
    return {token: _State(*rest) for token, *rest in rows}


def intake_key(request_id: str) -> str:
    """The reminder key of one treatment's intake alerts (turned off: silenced)."""
    return f"intake:{request_id}"


def _apply_states(
    permit: Permit,
    reminders: list[Reminder],
    meds: list[treatments.Treatment] = (),
    states: dict[str, _State] | None = None,
) -> None:
    states = _states(sealed.patient_of(permit)) if states is None else states
    if not states:
        return
    index = sealed.cipher(permit).blind_index
    for r in reminders:
        s = states.get(index(r.key))
        if s is not None:
            r.snoozed_until, r.off = s.snoozed_until, s.off
    for t in meds:
        s = states.get(index(intake_key(t.id)))
        t.silenced = bool(s is not None and s.off)


def _confirmations(permit: Permit, states: dict[str, _State] | None = None) -> dict[str, dt.date]:
    states = _states(sealed.patient_of(permit)) if states is None else states
    if not states:
        return {}
    index = sealed.cipher(permit).blind_index
    out = {}
    for topic in stale.spec()["topics"]:
        s = states.get(index(f"confirm:{topic['id']}"))
        if s and s.confirmed_on:
            out[topic["id"]] = s.confirmed_on
    return out


def _set_state(actor, patient_id: int, key: str, what: str, **fields) -> None:
    if not key or len(key) > 300:
        raise Invalid("no such reminder")
    permit, purpose = _authorize_write(actor, patient_id, what)
    with transaction.atomic():
        ReminderState.objects.update_or_create(
            patient_id=patient_id, key_token=sealed.blind_index(permit, key), defaults=fields
        )
        access.record(actor, patient_id, Action.UPDATE, purpose, permit, what=what)


def snooze(actor: Actor, patient_id: int, key: str, days: int) -> dt.date:
    if days not in SNOOZE_DAYS:
        raise Invalid("snooze for 7 or 30 days")
    until = timezone.localdate() + dt.timedelta(days=days)
    _set_state(actor, patient_id, key, "reminder snoozed", snoozed_until=until)
    return until


def turn_off(actor: Actor, patient_id: int, key: str) -> None:
    _set_state(actor, patient_id, key, "reminder turned off", off=True, snoozed_until=None)


def turn_on(actor: Actor, patient_id: int, key: str) -> None:
    _set_state(actor, patient_id, key, "reminder turned on", off=False, snoozed_until=None)


def confirm(actor: Actor, patient_id: int, topic: str) -> None:
    """The person says a topic (weight, allergies, contacts…) is still right."""
    topics = {t["id"]: t for t in stale.spec()["topics"]}
    if topic not in topics:
        raise Invalid("unknown topic")
    if not stale.confirmable(topics[topic]):
        raise Invalid("this topic asks for a new value, not a confirmation")
    _set_state(
        actor,
        patient_id,
        f"confirm:{topic}",
        "data confirmed up to date",
        confirmed_on=timezone.localdate(),
    )


# --- the whole picture ----------------------------------------------------------------------


BOOKINGS_DAYS = 366  # the care appointments a year around the day tick the steps they serve


def bookings(actor: Actor, patient_id: int, on: dt.date) -> list[programmes.Booking]:
    """The person's booked care appointments around ``on``, as ``appointments`` lets the actor
    see them (the person, or a proxy with the appointments permission; none for others)."""
    span = dt.timedelta(days=BOOKINGS_DAYS)
    return [
        programmes.Booking(
            f"care:{b.id}", timezone.localtime(b.start).date(), rules.fold_words(b.kind)
        )
        # Read under the permit of the record read it goes with, which is the one audited.
        for b in appointments.between_days(actor, patient_id, on - span, on + span, audited=False)
    ]


def overview_of(actor: Actor, snap: Snapshot, on: dt.date) -> Overview:
    """The one computation of a record's reminders, for every page, the feed and the alerts:
    the record read through access, the care appointments and the renewal requests the
    actor may see (a booked or asked act ticks its reminder)."""
    asked = care_renewals.waiting_since(actor, snap.patient_id)
    return compute(snap, on, bookings(actor, snap.patient_id, on), asked)


def compute(snap: Snapshot, on: dt.date, booked=(), asked=None) -> Overview:
    """Every reminder of a record as of ``on``, from a snapshot already read through access;
    ``booked``: the person's care appointments (``bookings``), which tick the steps they serve;
    ``asked``: treatment id -> day a renewal was asked (that renewal reminder is done)."""
    pid, permit = snap.patient_id, snap.permit
    chosen = enrolments(permit)
    progs = programmes.active(snap, chosen, on)
    lmp = next((p.start for p in progs if p.id == "pregnancy"), None)
    meds = treatments.active(snap)
    states = _states(pid)  # one query for the choices, confirmations and silenced alerts
    credits: dict[str, list[tuple[str, str]]] = {}
    reminders = (
        vaccination.compute(snap, on, lmp=lmp, credits=credits)
        + programmes.compute(snap, chosen, on, booked)
        + treatments.renewals(meds, on, asked or {})
        + stale.compute(snap, _confirmations(permit, states), on)
    )
    _apply_states(permit, reminders, meds, states)
    reminders.sort(key=sort_key)
    return Overview(pid, on, snap, reminders, meds, progs, credits)


def overview(actor: Actor, patient_id: int, on: dt.date | None = None) -> Overview:
    """Read the record (audited) and compute every reminder; NotFound if the actor may not."""
    snap = load(actor, patient_id)
    return overview_of(actor, snap, on or timezone.localdate())


# --- treatments: the intake log --------------------------------------------------------------


def intakes(
    patient_id: int, start: dt.datetime, end: dt.datetime
) -> dict[tuple[str, dt.datetime], str]:
    rows = Intake.objects.filter(
        patient_id=patient_id, scheduled_at__gte=start, scheduled_at__lt=end
    ).values_list("request_id", "scheduled_at", "status")
    return {(r, timezone.localtime(at)): s for r, at, s in rows}


def record_intake(
    actor: Actor, patient_id: int, request_id: str, at: dt.datetime, status: str, note: str = ""
) -> Intake:
    """Mark one scheduled intake taken or skipped (again: the last answer counts)."""
    if status not in Status.values:
        raise Invalid("status is taken or skipped")
    if len(note) > 500:
        raise Invalid("the note is too long")
    snap = load(actor, patient_id)
    meds = {t.id: t for t in treatments.active(snap)}
    t = meds.get(request_id)
    at = timezone.localtime(at) if timezone.is_aware(at) else timezone.make_aware(at)
    if t is None or at not in t.slots(at.date()):
        raise Invalid("no such intake in the schedule")
    if at > timezone.now() + dt.timedelta(hours=12):
        raise Invalid("an intake cannot be marked that far ahead")
    permit, purpose = _authorize_write(actor, patient_id, "intake marked")
    ctx = f"reminders/intake/{request_id}/{at.isoformat()}"
    with transaction.atomic():
        row, _ = Intake.objects.update_or_create(
            patient_id=patient_id,
            request_id=request_id,
            scheduled_at=at,
            defaults={
                "status": status,
                "recorded_at": timezone.now(),
                "note": sealed.seal(permit, {"note": note}, ctx) if note else None,
            },
        )
        access.record(actor, patient_id, Action.UPDATE, purpose, permit, what="intake marked")
    return row


def intake_note(permit: Permit, row: Intake) -> str:
    if not row.note:
        return ""
    ctx = f"reminders/intake/{row.request_id}/{timezone.localtime(row.scheduled_at).isoformat()}"
    return sealed.unseal_json(permit, row.note, ctx).get("note", "")


@dataclass
class Adherence:
    treatment: treatments.Treatment
    scheduled: int
    taken: int
    skipped: int

    @property
    def unanswered(self) -> int:
        return self.scheduled - self.taken - self.skipped

    @property
    def percent(self) -> int | None:
        return round(100 * self.taken / self.scheduled) if self.scheduled else None


def day_schedule(ov: Overview, day: dt.date) -> list[dict]:
    """The intakes of one day, each with its answer so far."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    answers = intakes(ov.patient_id, start, start + dt.timedelta(days=1))
    out = []
    for t in ov.treatments:
        for at in t.slots(day):
            out.append({"treatment": t, "at": at, "status": answers.get((t.id, at), "")})
    return sorted(out, key=lambda s: (s["at"], s["treatment"].name))


def adherence(ov: Overview, days: int = 7) -> list[Adherence]:
    """Over the last ``days`` days (today's past intakes included): scheduled, taken, skipped."""
    now = timezone.localtime()
    first = ov.on - dt.timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    answers = intakes(
        ov.patient_id,
        dt.datetime.combine(first, dt.time(0), tzinfo=tz),
        dt.datetime.combine(ov.on + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
    )
    out = []
    for t in ov.treatments:
        if not t.scheduled:
            continue
        slots = [
            at
            for i in range(days)
            for at in t.slots(first + dt.timedelta(days=i))
            if at <= now or (first + dt.timedelta(days=i)) < ov.on
        ]
        got = [answers.get((t.id, at)) for at in slots]
        out.append(Adherence(t, len(slots), got.count("taken"), got.count("skipped")))
    return out


def silence_intakes(actor: Actor, patient_id: int, request_id: str, silenced: bool) -> None:
    """Turn one treatment's intake alerts off (or on again); schedule and adherence stay."""
    snap = load(actor, patient_id)
    if request_id not in {t.id for t in treatments.active(snap)}:
        raise Invalid("no such treatment")
    what = "intake alerts turned off" if silenced else "intake alerts turned on"
    _set_state(actor, patient_id, intake_key(request_id), what, off=bool(silenced))


# --- sharing adherence with the care team (only if the person chooses) ----------------------

CARE_TEAM_DAYS = 30


def adherence_shared(patient_id: int) -> bool:
    """Whether the person chose to show their adherence to their care team (off by default)."""
    return AdherenceSharing.objects.filter(patient_id=patient_id, shared=True).exists()


def adherence_shared_among(patient_ids) -> set[int]:
    """Which of these records' people chose to show their adherence, in one query.

    A yes/no about a choice, not data: the care team's list of records uses it to offer
    the adherence page, which checks access itself (``care_team_adherence``).
    """
    ids = [int(pid) for pid in patient_ids]
    if not ids:
        return set()
    return set(
        AdherenceSharing.objects.filter(patient_id__in=ids, shared=True).values_list(
            "patient_id", flat=True
        )
    )


def share_adherence(actor: Actor, patient_id: int, shared: bool) -> None:
    what = "adherence shared with the care team" if shared else "adherence no longer shared"
    permit, purpose = _authorize_write(actor, patient_id, what)
    with transaction.atomic():
        AdherenceSharing.objects.update_or_create(
            patient_id=patient_id, defaults={"shared": bool(shared)}
        )
        access.record(actor, patient_id, Action.UPDATE, purpose, permit, what=what)


def care_team_adherence(
    actor: Actor, patient_id: int, days: int = CARE_TEAM_DAYS
) -> list[Adherence]:
    """What a practitioner with care access sees: taken / skipped per treatment.

    NotFound unless the person chose to share it and ``access`` permits a read for care;
    the read is audited, so it shows in the person's access history. Only treatments the
    practitioner's grant lets them see are counted.
    """
    if actor.role != "practitioner" or not adherence_shared(patient_id):
        raise NotFound()
    permit = access.require(
        actor, patient_id, Action.READ, Purpose.TREATMENT, what="adherence summary"
    )
    snap = Snapshot(patient_id, records.whole_record(permit), permit)
    ov = Overview(patient_id, timezone.localdate(), snap, [], treatments.active(snap), [])
    return adherence(ov, days)


# --- the person's own agenda entries ---------------------------------------------------------


def add_entry(
    actor: Actor,
    patient_id: int,
    starts_at: dt.datetime,
    title: str,
    note: str = "",
    *,
    all_day=False,
) -> AgendaEntry:
    title = (title or "").strip()
    if not title or len(title) > 200 or len(note) > 1000:
        raise Invalid("a title of 1 to 200 characters is needed")
    permit, purpose = _authorize_write(actor, patient_id, "agenda entry added")
    with transaction.atomic():
        entry = AgendaEntry.objects.create(
            patient_id=patient_id, starts_at=starts_at, all_day=all_day, payload=b""
        )
        entry.payload = sealed.seal(
            permit, {"title": title, "note": note}, f"reminders/agenda/{entry.pk}"
        )
        entry.save(update_fields=["payload"])
        access.record(actor, patient_id, Action.UPDATE, purpose, permit, what="agenda entry added")
    return entry


def delete_entry(actor: Actor, patient_id: int, entry_id: int) -> None:
    permit, purpose = _authorize_write(actor, patient_id, "agenda entry removed")
    with transaction.atomic():
        n, _ = AgendaEntry.objects.filter(patient_id=patient_id, pk=entry_id).delete()
        if not n:
            raise NotFound()
        access.record(
            actor, patient_id, Action.UPDATE, purpose, permit, what="agenda entry removed"
        )


def entries(permit: Permit, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The person's own agenda events in [start, end) of the permit's record."""
    out = []
    for e in AgendaEntry.objects.filter(
        patient_id=sealed.patient_of(permit), starts_at__gte=start, starts_at__lt=end
    ).order_by("starts_at"):
        data = sealed.unseal_json(permit, e.payload, f"reminders/agenda/{e.pk}")
        out.append(
            {"id": e.pk, "at": timezone.localtime(e.starts_at), "all_day": e.all_day, **data}
        )
    return out


# --- the private iCalendar feed --------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_of(patient_id: int) -> Feed | None:
    return Feed.objects.filter(patient_id=patient_id).first()


def feed_reset(actor: Actor, patient_id: int, *, show_details: bool | None = None) -> str:
    """A new secret for the feed (the old address stops working); returned once, stored hashed."""
    permit, purpose = _authorize_write(actor, patient_id, "calendar feed address reset")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed = Feed.objects.select_for_update().filter(patient_id=patient_id).first()
        if feed is None:
            feed = Feed(patient_id=patient_id)
        feed.digest = _digest(secret)
        if show_details is not None:
            feed.show_details = show_details
        feed.save()
        access.record(
            actor, patient_id, Action.UPDATE, purpose, permit, what="calendar feed address reset"
        )
    return secret


def feed_settings(actor: Actor, patient_id: int, *, show_details: bool) -> None:
    permit, purpose = _authorize_write(actor, patient_id, "calendar feed settings")
    with transaction.atomic():
        Feed.objects.filter(patient_id=patient_id).update(show_details=show_details)
        access.record(
            actor, patient_id, Action.UPDATE, purpose, permit, what="calendar feed settings"
        )


def feed_delete(actor: Actor, patient_id: int) -> None:
    permit, purpose = _authorize_write(actor, patient_id, "calendar feed turned off")
    with transaction.atomic():
        Feed.objects.filter(patient_id=patient_id).delete()
        access.record(
            actor, patient_id, Action.UPDATE, purpose, permit, what="calendar feed turned off"
        )


def feed_for_secret(secret: str) -> Feed | None:
    if not secret or len(secret) > 100:
        return None
    feed = Feed.objects.filter(digest=_digest(secret)).first()
    if feed is not None:
        Feed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed
