"""The epidemic watch: each finished week, a few public signals by département.

Computed like a researcher's question (OpenDP noise, cells under 11 suppressed) from the
people who chose the epidemic watch, once per signal and week, and kept: the page shows the
stored releases. Each release spends ``EPSILON`` from the watch's own ledger (researcher 0),
counted in the month of the week it describes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import history, ledger, queries
from .minimal import iso_week
from .models import WatchRelease

EPSILON = 0.25
WEEKS_SHOWN = 8
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"


@dataclass(frozen=True)
class Signal:
    key: str
    name: object  # a lazy translation
    resource: str
    code: str


SIGNALS = (
    Signal("flu", _("Flu"), "Condition", f"{SNOMED}|6142004"),
    Signal("gastro", _("Gastroenteritis"), "Condition", f"{SNOMED}|25374005"),
    Signal("antiviral", _("Flu antivirals prescribed"), "MedicationRequest", f"{ATC}|J05AH*"),
    Signal("antibiotic", _("Antibiotics prescribed"), "MedicationRequest", f"{ATC}|J01*"),
)


def finished_weeks(today: date, n: int = WEEKS_SHOWN) -> list[date]:
    """The Sundays of the last ``n`` finished ISO weeks, newest first."""
    last_sunday = today - timedelta(days=today.isoweekday() % 7 or 7)
    return [last_sunday - timedelta(weeks=i) for i in range(n)]


def release_week(signal: Signal, sunday: date) -> WatchRelease | None:
    """Compute and keep one signal's release for one finished week (None when over budget)."""
    week = iso_week(sunday)
    found = WatchRelease.objects.filter(week=week, signal=signal.key).first()
    if found is not None:
        return found
    q = queries.Question(
        signal.resource, signal.code, ("departement",), EPSILON, weeks=1, measure="count"
    )
    try:
        with transaction.atomic():
            entry = ledger.reserve(
                ledger.WATCH,
                EPSILON,
                {**q.as_json(), "week": week, "signal": signal.key},
                period=sunday.strftime("%Y-%m"),
            )
            cells, counted, margin = queries.release(q, "watch", sunday)
            ledger.settle(entry, {"cells": cells, "margin_95": margin})
            kept = WatchRelease.objects.create(
                week=week,
                signal=signal.key,
                ledger_seq=entry.seq,
                cells=json.dumps({"cells": cells, "margin_95": margin}),
            )
    except ledger.OverBudget:
        return None
    except IntegrityError:  # another request released it first
        return WatchRelease.objects.filter(week=week, signal=signal.key).first()
    history.note_release(counted, "watch")
    return kept


def publish(today: date | None = None) -> int:
    """Release every signal of the last finished weeks not released yet (the Monday job, the
    demo); returns how many were released now."""
    today = today or timezone.localdate()
    made = 0
    for sunday in finished_weeks(today):
        for signal in SIGNALS:
            if WatchRelease.objects.filter(week=iso_week(sunday), signal=signal.key).exists():
                continue
            made += release_week(signal, sunday) is not None
    return made


def page(today: date | None = None) -> list[dict]:
    """What the public page shows: per week (newest first), per signal, the départements shown.

    It reads the kept releases only: reading the page computes nothing and spends nothing."""
    today = today or timezone.localdate()
    sundays = finished_weeks(today)
    kept = {
        (r.week, r.signal): r
        for r in WatchRelease.objects.filter(week__in=[iso_week(s) for s in sundays])
    }
    out = []
    for sunday in sundays:
        rows = []
        for signal in SIGNALS:
            release = kept.get((iso_week(sunday), signal.key))
            if release is None:
                rows.append({"signal": signal, "missing": True})
                continue
            data = json.loads(release.cells)
            shown = [c for c in data["cells"] if not c["suppressed"]]
            rows.append(
                {
                    "signal": signal,
                    "shown": shown,
                    "hidden": len(data["cells"]) - len(shown),
                    "margin": data["margin_95"],
                }
            )
        out.append({"week": iso_week(sunday), "sunday": sunday, "signals": rows})
    return out
