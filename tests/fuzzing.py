"""Hypothesis profiles: the normal suite is reproducible, `make fuzz` explores.

- ``ci`` (the default, `make test`): ``derandomize=True``, so every property test and the
  schemathesis run draw the same examples on every machine and every run, and a red CI
  is red again at home. No example database: nothing from a previous run changes the draw.
- ``fuzz`` (`make fuzz`, ``HYPOTHESIS_PROFILE=fuzz``): random draws, ``FUZZ_SCALE`` times
  as many examples per test, and the example database under ``.hypothesis/`` so a failure
  found is replayed first next time. Each failure found becomes an ``@example`` (or an
  explicit test) in the normal suite: see the README's "Fuzzing".

Loaded by tests/conftest.py before any test module is imported, so every ``settings(...)``
of a test inherits the profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

FUZZ_SCALE = int(os.environ.get("CARNET_FUZZ_SCALE", "20"))

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "fuzz"):
    raise SystemExit(f"HYPOTHESIS_PROFILE={PROFILE!r}: use 'ci' (default) or 'fuzz'")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """A test's example budget: ``n`` in the normal suite, ``FUZZ_SCALE × n`` under fuzz."""
    return n * FUZZ_SCALE if PROFILE == "fuzz" else n
