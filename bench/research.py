"""Research benchmark: answering a differentially private question over N contributors.

    python -m bench.research      # SQLite in a temporary data directory

N is CARNET_BENCH_RESEARCH_CONTRIBUTORS (default 100,000; 0 skips it). The analytics copy is
filled directly (N contributors, three coded items each: a flu or not, a medicine, a
measurement), since its speed is what a question costs; filling it from records goes
through the import and one record read per person (timed by the other benchmarks). Then:

  question   flu by département and week over 12 weeks (1,224 cells): the exact counts,
             OpenDP's noise, suppression — ``queries.release``
  total      the same question, no grouping

each beside the 2-second target for an answer in the researcher's workspace. The history
entries (one per person counted, ``history.note_release``) are not in these figures.
"""

from __future__ import annotations

import os
import random
import sys
import time

CONTRIBUTORS = int(os.environ.get("CARNET_BENCH_RESEARCH_CONTRIBUTORS") or 100_000)
TARGET_SECONDS = 2.0


def fill(n: int) -> float:
    from django.utils import timezone

    from carnet.research import minimal, queries
    from carnet.research.models import Contribution, Fact
    from carnet.vault.research_keys import pseudonyms_of

    rng = random.Random(19)
    today = timezone.localdate()
    weeks = queries.window(12, today)
    deps = ["31", "81", "82", "32", "09", "65", "11", "34", "13", "75"]
    started = time.monotonic()
    now = timezone.now()
    for start in range(0, n, 5000):
        people, facts = [], []
        pseudonyms = pseudonyms_of(list(range(start + 1, min(n, start + 5000) + 1)))
        for i in range(start, min(n, start + 5000)):
            people.append(
                Contribution(
                    patient_id=i + 1, research=True, watch=True, changed_at=now, stale=False
                )
            )
            base = {
                "pseudonym": pseudonyms[i + 1],
                "research": True,
                "watch": True,
                "age_band": rng.choice(minimal.AGE_BANDS),
                "sex": rng.choice(("female", "male")),
                "departement": rng.choice(deps),
            }
            codes = [
                ("Condition", "http://snomed.info/sct|6142004" if rng.random() < 0.3 else "http://snomed.info/sct|44054006"),
                ("MedicationRequest", "http://www.whocc.no/atc|J01CA04"),
                ("Observation", "http://loinc.org|8480-6"),
            ]  # fmt: skip
            for rtype, code in codes:
                facts.append(Fact(**base, week=rng.choice(weeks), resource_type=rtype, code=code))
        Contribution.objects.bulk_create(people)
        Fact.objects.bulk_create(facts, batch_size=5000)
    return time.monotonic() - started


def ask(group_by: tuple[str, ...]) -> tuple[float, int]:
    from django.utils import timezone

    from carnet.research import queries

    q = queries.question(
        {
            "resource": "Condition",
            "code": "http://snomed.info/sct|6142004",
            "group_by": list(group_by),
            "epsilon": 0.5,
            "weeks": 12,
        }
    )
    started = time.monotonic()
    cells, counted, _margin = queries.release(q, "research", timezone.localdate())
    return time.monotonic() - started, len(counted)


def run(n: int = CONTRIBUTORS) -> None:
    if n <= 0:
        return
    from bench.__main__ import line

    print(f"Research questions over {n:,} contributors (bench/research.py)")
    setup = fill(n)
    print(f"  (setup: {n:,} contributors and {3 * n:,} rows in the copy in {setup:.1f} s)")
    seconds, counted = ask(("departement", "week"))
    line("question by département×week", seconds, "s", TARGET_SECONDS, "target", "lower")
    seconds, _ = ask(())
    line("question, total only", seconds, "s", TARGET_SECONDS, "target", "lower")
    print(f"  ({counted:,} people counted)")


if __name__ == "__main__":
    from bench.__main__ import setup

    setup()
    run()
    sys.exit(0)
