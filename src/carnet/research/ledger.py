"""The privacy budget ledger: every ε spent, hash-chained per researcher like the access history.

A researcher's budget is ``CARNET_RESEARCH_BUDGET`` ε per calendar month; the epidemic watch
(researcher 0) has its own. ``spend`` checks and writes in one transaction, so a question
that would go over is refused before anything is computed; ``verify`` finds a changed,
removed or reordered entry.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .models import LedgerEntry, LedgerHead

GENESIS = "0" * 64
WATCH = 0  # the public epidemic watch's own ledger


class OverBudget(Exception):
    pass


def budget() -> float:
    return float(getattr(settings, "CARNET_RESEARCH_BUDGET", 5.0))


def period_of(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


def spent(researcher_id: int, period: str) -> float:
    total = LedgerEntry.objects.filter(researcher_id=researcher_id, period=period).aggregate(
        s=Sum("epsilon")
    )["s"]
    return float(total or 0.0)


def left(researcher_id: int, at: datetime | None = None) -> float:
    return max(0.0, budget() - spent(researcher_id, period_of(at or timezone.now())))


def _hash(e: LedgerEntry) -> str:
    payload = [
        e.researcher_id,
        e.seq,
        e.at.astimezone(UTC).isoformat(timespec="microseconds"),
        e.period,
        repr(float(e.epsilon)),
        e.question,
        e.answer,
        e.prev_hash,
    ]
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def reserve(researcher_id: int, epsilon: float, question: dict, *, period: str = "") -> LedgerEntry:
    """Write the spending before the question runs; OverBudget when it does not fit.

    The caller records the release with ``settle``. ``period``: the month the spending
    counts in (the epidemic watch counts a week's release in that week's month)."""
    now = timezone.now()
    period = period or period_of(now)
    with transaction.atomic():
        last = (
            LedgerEntry.objects.select_for_update()
            .filter(researcher_id=researcher_id)
            .order_by("-seq")
            .first()
        )
        if spent(researcher_id, period) + epsilon > budget() + 1e-9:
            raise OverBudget()
        e = LedgerEntry(
            researcher_id=researcher_id,
            seq=(last.seq + 1) if last else 1,
            at=now,
            period=period,
            epsilon=float(epsilon),
            question=json.dumps(question, sort_keys=True),
            answer="",
            prev_hash=last.entry_hash if last else GENESIS,
        )
        e.entry_hash = _hash(e)
        e.save()
        _move_head(e)
        return e


def _move_head(e: LedgerEntry) -> None:
    LedgerHead.objects.update_or_create(
        researcher_id=e.researcher_id, defaults={"seq": e.seq, "entry_hash": e.entry_hash}
    )


def settle(entry: LedgerEntry, answer: object) -> None:
    """Record what was released (the entry's hash covers it)."""
    entry.answer = json.dumps(answer, sort_keys=True)
    entry.entry_hash = _hash(entry)
    with transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(
            answer=entry.answer, entry_hash=entry.entry_hash
        )
        _move_head(entry)


def verify(researcher_id: int | None = None) -> list[str]:
    """Problems found in the chains (empty: every entry is as written)."""
    ids = (
        [researcher_id]
        if researcher_id is not None
        else sorted(
            set(LedgerEntry.objects.values_list("researcher_id", flat=True))
            | set(LedgerHead.objects.values_list("researcher_id", flat=True))
        )
    )
    problems = []
    for rid in ids:
        prev, expected, broken = GENESIS, 1, False
        for e in LedgerEntry.objects.filter(researcher_id=rid).order_by("seq"):
            if e.seq != expected:
                problems.append(f"researcher {rid}: entry {expected} missing")
            elif e.prev_hash != prev:
                problems.append(f"researcher {rid}: entry {e.seq} does not follow the previous")
            elif _hash(e) != e.entry_hash:
                problems.append(f"researcher {rid}: entry {e.seq} was changed")
            else:
                prev, expected = e.entry_hash, expected + 1
                continue
            broken = True
            break
        head = LedgerHead.objects.filter(researcher_id=rid).first()
        if not broken and (head is None or head.seq != expected - 1 or head.entry_hash != prev):
            problems.append(f"researcher {rid}: entries were cut off the end")
    return problems


def past(researcher_id: int, limit: int = 50) -> list[dict]:
    out = []
    for e in LedgerEntry.objects.filter(researcher_id=researcher_id).order_by("-seq")[:limit]:
        out.append(
            {
                "seq": e.seq,
                "at": e.at,
                "epsilon": e.epsilon,
                "question": json.loads(e.question),
                "answer": json.loads(e.answer) if e.answer else None,
            }
        )
    return out
