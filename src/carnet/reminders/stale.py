"""Gentle prompts for data that goes stale: weight, blood pressure, treatments, allergies, contacts.

A prompt is not an alert: it is shown on the reminders page and sent at most once a week,
grouped in one digest. Confirming that a topic is still right quiets it for its period.
"""

from __future__ import annotations

from datetime import date, timedelta

from . import rules, treatments
from .base import DUE, Reminder
from .record import Snapshot, local_date


def spec() -> dict:
    return rules.programmes()["stale"]


def confirmable(topic: dict) -> bool:
    """Whether « it is up to date » can be true of this topic: a weight may stay the same for
    years; a blood pressure changes from one reading to the next (``"confirm": false``)."""
    return bool(topic.get("confirm", True))


def _last_seen(snap: Snapshot, topic: dict) -> date | None:
    tid = topic["id"]
    if tid == "emergency-contacts":
        p = snap.patient
        updated = local_date((p.get("meta") or {}).get("lastUpdated") or "")
        return updated
    if tid == "medications":
        days = []
        for rtype in ("MedicationRequest", "MedicationStatement"):
            for r in snap.of(rtype):
                d = local_date(r.get("authoredOn") or r.get("dateAsserted") or "") or snap.dated(r)
                if d:
                    days.append(d)
        return max(days) if days else None
    if tid == "allergies":
        days = [
            local_date(r.get("lastOccurrence") or r.get("recordedDate") or "")
            for r in snap.of("AllergyIntolerance")
        ]
        days = [d for d in days if d]
        return max(days) if days else None
    return snap.last_matching(topic["match"])


def expired_prescriptions(snap: Snapshot, on: date) -> int:
    """Active prescriptions past their end that no renewal alert speaks of any more.

    A prescription that just ended has its renewal alert (``treatments.renewals``): one
    prescription, one reminder. Only when that alert is over does the list review say so."""
    return len(treatments.ended_without_renewal_alert(treatments.active(snap), on))


def compute(snap: Snapshot, confirmed: dict[str, date], on: date) -> list[Reminder]:
    """The stale-data prompts as of ``on``; ``confirmed`` maps a topic to the day the person confirmed it."""
    s = spec()
    out = []
    for topic in s["topics"]:
        last = _last_seen(snap, topic)
        if last and last > on:
            last = on
        mine = confirmed.get(topic["id"])
        if mine and (last is None or mine > last):
            last = mine
        label = topic["label"]
        stale_since = (last + timedelta(days=topic["max_age_days"])) if last else None
        if (
            topic["id"] == "medications"
            and expired_prescriptions(snap, on)
            and not (mine and mine >= on - timedelta(days=topic["max_age_days"]))
        ):
            label, stale_since = (
                topic["label_expired"],
                stale_since if stale_since and stale_since <= on else on,
            )
        if stale_since is not None and stale_since > on:
            continue
        text = rules.text(label)
        out.append(
            Reminder(
                kind="stale",
                rule=f"{s['id']}/{topic['id']}",
                key=f"stale:{topic['id']}",
                title=text,
                why=f"{rules.text(s['title'])} : {text}",
                source=s["source"],
                version=s["version"],
                due=stale_since or on,
                status=DUE,
                extra={"topic": topic["id"], "confirm": confirmable(topic)},
                reason=rules.text(s.get("reason")),
            )
        )
    return out
