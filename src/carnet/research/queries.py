"""Aggregate questions answered with differential privacy (OpenDP) under a budget.

A question counts people (distinct pseudonyms) with a code, in the last ``weeks`` ISO weeks,
grouped by some of age band, sex, département and week. Each person counts once, in the cell
of their first matching item in the window, so adding or removing one person changes one cell
by one: the L1 sensitivity of the whole table is 1, and OpenDP's Laplace mechanism on integers
(discrete Laplace, scale 1/ε) makes the release ε-differentially private. The ε is written to
the ledger before anything is computed (a question over budget never runs). On top of the
noise, a cell whose true or noisy count is under 11 is suppressed, and so is the smallest
other cell of any row or column left with a single suppressed cell, so that a total or a
margin from another question cannot give a suppressed cell away. No row is ever exported.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

import opendp.prelude as dp
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ledger
from .minimal import AGE_BANDS, CODED, SEXES, iso_week
from .models import PURPOSES, Fact

dp.enable_features("contrib")

DIMENSIONS = ("age_band", "sex", "departement", "week")
THRESHOLD = 11
MAX_EPSILON = 1.0
MAX_CELLS = 20_000
DEFAULT_WEEKS = 52
ALPHA = 0.05  # confidence intervals at 95 %
DEPARTEMENTS = tuple(
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B", "971", "972", "973", "974", "976", ""]
)


class Refused(Exception):
    """A question that is not asked: the reason is said in plain words."""


class OverBudget(Refused):
    """Refused because the researcher's budget of the month cannot pay for it."""


@dataclass(frozen=True)
class Question:
    resource: str
    code: str
    group_by: tuple[str, ...] = ()
    epsilon: float = 0.1
    weeks: int = DEFAULT_WEEKS
    measure: str = "count"
    bucket: str = ""  # a measurement's range, as the copy keeps it ("100-150")

    def as_json(self) -> dict:
        return {
            "bucket": self.bucket,
            "measure": self.measure,
            "resource": self.resource,
            "code": self.code,
            "group_by": list(self.group_by),
            "epsilon": self.epsilon,
            "weeks": self.weeks,
        }


def question(data: dict) -> Question:
    """Check a question as sent (API or form); Refused with the reason when it is wrong."""
    if data.get("measure", "count") != "count":
        raise Refused(_("only counts can be asked (measure: count)"))
    resource = data.get("resource")
    if resource not in CODED:
        raise Refused(_("resource must be one of %(types)s") % {"types": ", ".join(CODED)})
    code = str(data.get("code") or "").strip()
    system, _bar, value = code.partition("|")
    if not system or not value or len(code) > 160:
        raise Refused(_("code must be written system|code (a trailing * matches a prefix)"))
    group_by = data.get("group_by") or []
    if not isinstance(group_by, list | tuple) or any(g not in DIMENSIONS for g in group_by):
        raise Refused(_("group_by may only name %(dims)s") % {"dims": ", ".join(DIMENSIONS)})
    if len(set(group_by)) != len(group_by):
        raise Refused(_("group_by names a dimension twice"))
    try:
        epsilon = float(data.get("epsilon"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Refused(_("epsilon must be a number")) from None
    if not 0 < epsilon <= MAX_EPSILON:
        raise Refused(_("epsilon must be more than 0 and at most %(max)s") % {"max": MAX_EPSILON})
    try:
        weeks = int(data.get("weeks") or DEFAULT_WEEKS)
    except (TypeError, ValueError):
        raise Refused(_("weeks must be a whole number")) from None
    if not 1 <= weeks <= 260:
        raise Refused(_("weeks must be between 1 and 260"))
    bucket = str(data.get("bucket") or "").strip()
    if bucket and (resource != "Observation" or len(bucket) > 24):
        raise Refused(_("bucket (a measurement's range, such as 100-150) is for Observation only"))
    q = Question(
        resource,
        code,
        tuple(g for g in DIMENSIONS if g in group_by),
        epsilon,
        weeks,
        "count",
        bucket,
    )
    if cells_in(q, timezone.localdate()) > MAX_CELLS:
        raise Refused(
            _("too many cells (more than %(max)s): group by less or fewer weeks")
            % {"max": MAX_CELLS}
        )
    return q


def window(weeks: int, today: date) -> list[str]:
    """The ISO weeks of the question, oldest first, ending with the current week."""
    out = []
    for i in range(weeks - 1, -1, -1):
        out.append(iso_week(today - timedelta(weeks=i)))
    return list(dict.fromkeys(out))


def domain(dim: str, weeks: list[str]) -> tuple[str, ...]:
    return {
        "age_band": (*AGE_BANDS, ""),
        "sex": SEXES,
        "departement": DEPARTEMENTS,
        "week": tuple(weeks),
    }[dim]


def cells_in(q: Question, today: date) -> int:
    n = 1
    for dim in q.group_by:
        n *= len(domain(dim, window(q.weeks, today)))
    return n


def true_counts(
    q: Question, purpose: str, today: date
) -> tuple[dict[tuple[str, ...], int], set[str]]:
    """The exact count of people per cell (never released) and the pseudonyms counted."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    weeks = window(q.weeks, today)
    facts = Fact.objects.filter(resource_type=q.resource, week__in=weeks, **{purpose: True})
    if q.bucket:
        facts = facts.filter(bucket=q.bucket)
    if q.code.endswith("*"):
        facts = facts.filter(code__startswith=q.code[:-1])
    else:
        facts = facts.filter(code=q.code)
    first: dict[str, tuple[str, tuple[str, ...]]] = {}
    fields = ("pseudonym", "week", *q.group_by)
    for row in facts.values_list(*fields).iterator(chunk_size=5000):
        pseudonym, week = row[0], row[1]
        key = tuple(row[2:])
        seen = first.get(pseudonym)
        if seen is None or week < seen[0]:
            first[pseudonym] = (week, key)
    counts: dict[tuple[str, ...], int] = {}
    for _week, key in first.values():
        counts[key] = counts.get(key, 0) + 1
    return counts, set(first)


def grid(q: Question, today: date) -> list[tuple[str, ...]]:
    weeks = window(q.weeks, today)
    return list(itertools.product(*(domain(d, weeks) for d in q.group_by)))


def measurement(epsilon: float):
    """OpenDP's Laplace mechanism on a vector of integer counts, L1 sensitivity 1."""
    m = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=1.0 / epsilon
    )
    if m.map(1) > epsilon + 1e-12:  # the privacy map must say the release costs at most ε
        raise RuntimeError("the noise does not give the privacy asked for")
    return m


def margin_of_error(epsilon: float) -> int:
    """Half-width of the 95 % interval of a noisy count (from the noise scale)."""
    return int(round(dp.discrete_laplacian_scale_to_accuracy(1.0 / epsilon, ALPHA)))


def suppress(
    keys: list[tuple[str, ...]], true: list[int], noisy: list[int], dims: int
) -> list[bool]:
    """Primary (true or noisy count under 11) and secondary suppression."""
    hidden = [t < THRESHOLD or n < THRESHOLD for t, n in zip(true, noisy, strict=True)]
    if dims == 0:
        return hidden
    changed = True
    while changed:
        changed = False
        for d in range(dims):
            lines: dict[tuple, list[int]] = {}
            for i, key in enumerate(keys):
                lines.setdefault(key[:d] + key[d + 1 :], []).append(i)
            for members in lines.values():
                if len(members) < 2 or sum(hidden[i] for i in members) != 1:
                    continue
                shown = [i for i in members if not hidden[i]]
                smallest = min(shown, key=lambda i: noisy[i])
                hidden[smallest] = True
                changed = True
    return hidden


@dataclass
class Answer:
    cells: list[dict]
    epsilon_spent: float
    budget_left: float
    margin: int
    counted: set[str] = field(default_factory=set)
    seq: int = 0

    def as_json(self) -> dict:
        return {
            "cells": self.cells,
            "epsilon_spent": self.epsilon_spent,
            "budget_left": round(self.budget_left, 6),
            "margin_95": self.margin,
            "note": (
                "Each count is the number of people whose first matching item in the window "
                "falls in the cell, plus discrete Laplace noise of scale 1/epsilon (OpenDP); "
                f"95 % of counts are within ±{self.margin} of the truth. Cells under "
                f"{THRESHOLD} people, and cells that would give them away, are suppressed."
            ),
        }


def release(q: Question, purpose: str, today: date) -> tuple[list[dict], set[str], int]:
    """Compute the released cells (the budget has been reserved by the caller)."""
    counts, counted = true_counts(q, purpose, today)
    keys = grid(q, today)
    true = [counts.get(k, 0) for k in keys]
    noisy = [max(0, int(v)) for v in measurement(q.epsilon)(true)]
    hidden = suppress(keys, true, noisy, len(q.group_by))
    cells = []
    for key, n, h in zip(keys, noisy, hidden, strict=True):
        cell: dict = dict(zip(q.group_by, key, strict=True))
        cell.update({"count": None if h else n, "suppressed": h})
        cells.append(cell)
    return cells, counted, margin_of_error(q.epsilon)


def ask(researcher_id: int, q: Question, *, today: date | None = None) -> Answer:
    """Spend ε from the researcher's budget (Refused when it does not fit), then answer."""
    today = today or timezone.localdate()
    try:
        entry = ledger.reserve(researcher_id, q.epsilon, q.as_json())
    except ledger.OverBudget:
        raise OverBudget(
            _("this question needs ε = %(asked)s but only %(left)s is left of this month's budget")
            % {"asked": f"{q.epsilon:g}", "left": f"{ledger.left(researcher_id):g}"}
        ) from None
    cells, counted, margin = release(q, "research", today)
    answer = Answer(cells, q.epsilon, ledger.left(researcher_id), margin, counted, entry.seq)
    ledger.settle(entry, answer.as_json())
    return answer
