"""Telling people about their reminders through ``notify`` (no health detail leaves Carnet).

    notify_due(patient_id, on)      one "new reminder" message when something became due
    notify_intakes(patient_id, now) one message per intake time that has just come
    notify_stale(patient_id, on)    the stale-data digest, at most once a week
    notify_relatives_due(patient_id, on)
                                    for a record with no account of its own (a child): one
                                    "a reminder for Léo" message to each relative who holds
                                    a live proxy allowed to read it
    notify_relatives_intakes(patient_id, now)
                                    the same for its treatments' intake times

Each is idempotent: the state rows here and notify's idempotency keys make a second run on
the same day (or a crashed and restarted worker) send nothing more.

A child's record has no owner to tell: its due reminders go to the proxies who may read it
(the parents, or a relative the record's managers chose), each through their own
preferences. The record is read for them by "Carnet reminders" acting as one of those
proxies, so the read is decided by ``access`` with purpose proxy and shows in the child's
access history. The message names the child by first name only (a name says nothing about
health) and opens the spaces the proxy manages, where they switch to the child's Rappels.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from carnet.access import proxies
from carnet.access.services import Actor
from carnet.accounts.models import Patient, User
from carnet.notify import events
from carnet.notify import services as notify
from carnet.records import services as records
from carnet.vault import sealed

from . import services, stale
from .models import ReminderState
from .record import load, owner_actor

log = logging.getLogger("carnet.reminders")
EVENT = "new_reminder"
RELATIVE_EVENT, RELATIVE_EVENT_UNNAMED = "relative_reminder", "relative_reminder_unnamed"
DIGEST_KEY = "stale-digest"


def _snapshot_overview(patient_id: int, on: dt.date):
    actor = owner_actor(patient_id)
    if actor is None:
        return None
    return services.overview_of(actor, load(actor, patient_id), on)


def _fresh(patient_id: int, ov) -> list[str]:
    """Tokens of the reminders (not stale prompts) that are due and nobody was told about."""
    index = sealed.cipher(ov.permit).blind_index
    fresh = []
    for r in ov.reminders:
        if r.kind == "stale" or not r.active or ov.snoozed(r):
            continue
        token = index(r.key)
        state = ReminderState.objects.filter(patient_id=patient_id, key_token=token).first()
        if state is not None and state.notified_on is not None:
            continue
        fresh.append(token)
    return fresh


def _mark_told(patient_id: int, tokens: list[str], on: dt.date) -> None:
    for token in tokens:
        ReminderState.objects.update_or_create(
            patient_id=patient_id, key_token=token, defaults={"notified_on": on}
        )


def notify_due(patient_id: int, on: dt.date, ov=None) -> int:
    """Tell the person once about reminders (not stale prompts) that are due and not yet told."""
    ov = ov or _snapshot_overview(patient_id, on)
    if ov is None:
        return 0
    fresh = _fresh(patient_id, ov)
    if not fresh:
        return 0
    with transaction.atomic():
        _mark_told(patient_id, fresh, on)
        notify.notify_patient(patient_id, EVENT, key=f"reminders:{patient_id}:{on.isoformat()}")
    return len(fresh)


# --- a relative with no account of their own (a child): their proxies are told ---------------


def reminder_readers(patient_id: int) -> list:
    """The accounts told about the reminders of a record with no owner, parents first.

    Those holding a live proxy that may read the record now, as ``access`` decides (a
    revoked or expired proxy, or one limited to appointments or messages, is not told).
    Empty for a record that has an owner: the person is told themself.
    """
    if not Patient.objects.filter(pk=patient_id, owner__isnull=True).exists():
        return []
    rows = proxies.holders(patient_id)
    parents_first = sorted(rows, key=lambda row: row[1] != "parent")
    users = {u.pk: u for u in User.objects.filter(pk__in=[r[0] for r in rows], is_active=True)}
    out, seen = [], set()
    for user_id, _basis in parents_first:
        user = users.get(user_id)
        if user is None or user_id in seen or not proxies.may(user, patient_id, "read"):
            continue
        seen.add(user_id)
        out.append(user)
    return out


def _reader_overview(patient_id: int, on: dt.date, reader):
    actor = Actor(user_id=reader.pk, role=reader.role, label="Carnet reminders")
    return services.overview_of(actor, load(actor, patient_id), on)


def first_name(snapshot) -> str:
    """The first given name on the record's Patient card, if it is a plain first name."""
    names = snapshot.patient.get("name") or []
    if not isinstance(names, list) or not names:
        return ""
    name = next((n for n in names if isinstance(n, dict) and n.get("use") == "official"), None)
    name = name or names[0]
    given = name.get("given") if isinstance(name, dict) else None
    value = str(given[0]).strip() if isinstance(given, list) and given else ""
    return value if events.PARAM_RULES["first_name"].fullmatch(value) else ""


def notify_relatives_due(patient_id: int, on: dt.date, ov=None, readers=None) -> int:
    """Tell each proxy who may read a record with no owner, once, about its due reminders.

    One message per proxy per day at most, whatever the number of reminders that became
    due; each reminder is announced once (``ReminderState.notified_on``).
    """
    readers = reminder_readers(patient_id) if readers is None else readers
    if not readers:
        return 0
    ov = ov or _reader_overview(patient_id, on, readers[0])
    fresh = _fresh(patient_id, ov)
    if not fresh:
        return 0
    name = first_name(ov.snapshot)
    event, params = (RELATIVE_EVENT, {"first_name": name}) if name else (RELATIVE_EVENT_UNNAMED, {})
    with transaction.atomic():
        _mark_told(patient_id, fresh, on)
        for reader in readers:
            notify.notify_user(
                reader.pk,
                event,
                params=params,
                patient_id=patient_id,
                key=f"relative-reminders:{patient_id}:{on.isoformat()}",
            )
    return len(fresh)


def _intake_slots(patient_id: int, ov, now: dt.datetime, window_minutes: int):
    """(blind treatment token, time) of each intake in (now - window, now] not yet answered,
    for the treatments whose alerts are on (``services.compute`` marks the silenced ones)."""
    index = sealed.cipher(ov.permit).blind_index
    answered = services.intakes(
        patient_id, now - dt.timedelta(days=1), now + dt.timedelta(minutes=1)
    )
    for t in ov.treatments:
        if t.silenced:
            continue
        for at in t.slots(now.date()):
            if not (now - dt.timedelta(minutes=window_minutes) < at <= now):
                continue
            if (t.id, at) in answered:
                continue
            yield index(t.id), at


def notify_intakes(patient_id: int, now: dt.datetime, ov=None, *, window_minutes: int = 15) -> int:
    """One message per intake time in (now - window, now] that the person has not answered."""
    now = timezone.localtime(now)
    ov = ov or _snapshot_overview(patient_id, now.date())
    if ov is None:
        return 0
    sent = 0
    for token, at in _intake_slots(patient_id, ov, now, window_minutes):
        msgs = notify.notify_patient(
            patient_id, EVENT, key=f"intake:{patient_id}:{token}:{at.isoformat()}", now=now
        )
        sent += bool(msgs)
    return sent


def notify_relatives_intakes(
    patient_id: int, now: dt.datetime, ov=None, *, readers=None, window_minutes: int = 15
) -> int:
    """A child's intake times, to each proxy who may read the record: once per intake each.

    The same message as their due reminders ("a reminder for Léo"), through each proxy's
    own preferences; an intake a parent already marked, or a treatment whose alerts were
    turned off, is not announced. Returns how many proxies were told, summed over intakes.
    """
    readers = reminder_readers(patient_id) if readers is None else readers
    if not readers:
        return 0
    now = timezone.localtime(now)
    ov = ov or _reader_overview(patient_id, now.date(), readers[0])
    slots = list(_intake_slots(patient_id, ov, now, window_minutes))
    if not slots:
        return 0
    name = first_name(ov.snapshot)
    event, params = (RELATIVE_EVENT, {"first_name": name}) if name else (RELATIVE_EVENT_UNNAMED, {})
    sent = 0
    for token, at in slots:
        for reader in readers:
            msgs = notify.notify_user(
                reader.pk,
                event,
                params=params,
                patient_id=patient_id,
                key=f"relative-intake:{patient_id}:{token}:{at.isoformat()}",
                now=now,
            )
            sent += bool(msgs)
    return sent


def notify_stale(patient_id: int, on: dt.date, ov=None) -> bool:
    """The gentle digest of stale data: grouped, and at most once every ``digest_every_days``."""
    ov = ov or _snapshot_overview(patient_id, on)
    if ov is None:
        return False
    prompts = [r for r in ov.of_kind("stale") if not r.off and not ov.snoozed(r)]
    if not prompts:
        return False
    every = stale.spec()["digest_every_days"]
    token = sealed.blind_index(ov.permit, DIGEST_KEY)
    with transaction.atomic():
        state = (
            ReminderState.objects.select_for_update()
            .filter(patient_id=patient_id, key_token=token)
            .first()
        )
        if state and state.notified_on and on < state.notified_on + dt.timedelta(days=every):
            return False
        ReminderState.objects.update_or_create(
            patient_id=patient_id, key_token=token, defaults={"notified_on": on}
        )
        notify.notify_patient(patient_id, EVENT, key=f"stale:{patient_id}:{on.isoformat()}")
    return True


def owned_patients():
    return Patient.objects.filter(owner__isnull=False, owner__is_active=True).values_list(
        "pk", flat=True
    )


def relatives_patients():
    """Records with no account of their own that someone holds a proxy on (children)."""
    return proxies.records_held(Patient.objects.filter(owner__isnull=True).values("pk"))


def daily(on: dt.date | None = None) -> dict:
    """Due reminders and the weekly digest for every person (one record read each), and due
    reminders of records with no account of their own for the relatives who hold them."""
    on = on or timezone.localdate()
    counts = {"patients": 0, "reminders": 0, "digests": 0, "relatives": 0, "errors": 0}
    for pid in owned_patients().iterator():
        try:
            ov = _snapshot_overview(pid, on)
            if ov is None:
                continue
            counts["patients"] += 1
            counts["reminders"] += notify_due(pid, on, ov)
            counts["digests"] += notify_stale(pid, on, ov)
        except Exception:  # one record's failure must not stop everyone else's reminders
            counts["errors"] += 1
            log.exception("reminders for patient %s failed", pid)
    for pid in list(relatives_patients()):
        try:
            readers = reminder_readers(pid)
            if not readers:
                continue
            counts["patients"] += 1
            counts["relatives"] += notify_relatives_due(pid, on, readers=readers)
        except Exception:
            counts["errors"] += 1
            log.exception("reminders for the relatives of patient %s failed", pid)
    return counts


def intakes_now(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    counts = {"messages": 0, "errors": 0}
    # Only records with a prescription: the others have no intake to announce, and reading
    # them every quarter of an hour would fill their access history for nothing.
    treated = records.holding("MedicationRequest")
    for pid in owned_patients().filter(pk__in=treated).iterator():
        try:
            counts["messages"] += notify_intakes(pid, now)
        except Exception:
            counts["errors"] += 1
            log.exception("intake reminders for patient %s failed", pid)
    for pid in list(relatives_patients().filter(patient_id__in=treated)):
        try:
            counts["messages"] += notify_relatives_intakes(pid, now)
        except Exception:
            counts["errors"] += 1
            log.exception("intake reminders for the relatives of patient %s failed", pid)
    return counts
