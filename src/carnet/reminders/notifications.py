"""Telling people about their reminders through ``notify`` (no health detail leaves Carnet).

    notify_due(patient_id, on)      one "new reminder" message when something became due
    notify_intakes(patient_id, now) one message per intake time that has just come
    notify_stale(patient_id, on)    the stale-data digest, at most once a week

Each is idempotent: the state rows here and notify's idempotency keys make a second run on
the same day (or a crashed and restarted worker) send nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from carnet.accounts.models import Patient
from carnet.notify import services as notify
from carnet.vault import services as vault

from . import services, stale
from .models import ReminderState
from .record import load, owner_actor

log = logging.getLogger("carnet.reminders")
EVENT = "new_reminder"
DIGEST_KEY = "stale-digest"


def _snapshot_overview(patient_id: int, on: dt.date):
    actor = owner_actor(patient_id)
    if actor is None:
        return None
    return services.compute(load(actor, patient_id), on)


def notify_due(patient_id: int, on: dt.date, ov=None) -> int:
    """Tell the person once about reminders (not stale prompts) that are due and not yet told."""
    ov = ov or _snapshot_overview(patient_id, on)
    if ov is None:
        return 0
    c = vault.cipher(patient_id)
    fresh = []
    for r in ov.reminders:
        if r.kind == "stale" or not r.active or ov.snoozed(r):
            continue
        token = c.blind_index(r.key)
        state = ReminderState.objects.filter(patient_id=patient_id, key_token=token).first()
        if state is not None and state.notified_on is not None:
            continue
        fresh.append(token)
    if not fresh:
        return 0
    with transaction.atomic():
        for token in fresh:
            ReminderState.objects.update_or_create(
                patient_id=patient_id, key_token=token, defaults={"notified_on": on}
            )
        notify.notify_patient(patient_id, EVENT, key=f"reminders:{patient_id}:{on.isoformat()}")
    return len(fresh)


def notify_intakes(patient_id: int, now: dt.datetime, ov=None, *, window_minutes: int = 15) -> int:
    """One message per intake time in (now - window, now] that the person has not answered."""
    now = timezone.localtime(now)
    ov = ov or _snapshot_overview(patient_id, now.date())
    if ov is None:
        return 0
    c = vault.cipher(patient_id)
    answered = services.intakes(
        patient_id, now - dt.timedelta(days=1), now + dt.timedelta(minutes=1)
    )
    sent = 0
    for t in ov.treatments:
        if t.silenced:  # the person turned this treatment's alerts off (services.compute)
            continue
        for at in t.slots(now.date()):
            if not (now - dt.timedelta(minutes=window_minutes) < at <= now):
                continue
            if (t.id, at) in answered:
                continue
            msgs = notify.notify_patient(
                patient_id,
                EVENT,
                key=f"intake:{patient_id}:{c.blind_index(t.id)}:{at.isoformat()}",
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
    token = vault.cipher(patient_id).blind_index(DIGEST_KEY)
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


def daily(on: dt.date | None = None) -> dict:
    """Due reminders and the weekly digest for every person (one record read each)."""
    on = on or timezone.localdate()
    counts = {"patients": 0, "reminders": 0, "digests": 0, "errors": 0}
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
    return counts


def intakes_now(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    counts = {"messages": 0, "errors": 0}
    for pid in owned_patients().iterator():
        try:
            counts["messages"] += notify_intakes(pid, now)
        except Exception:
            counts["errors"] += 1
            log.exception("intake reminders for patient %s failed", pid)
    return counts
