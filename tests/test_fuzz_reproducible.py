"""`make test` is reproducible: every property and schema fuzz test draws the same examples
on every run (the "ci" Hypothesis profile, derandomized); `make fuzz` draws at random."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.no_db


def _draws() -> list:
    seen = []

    @given(st.integers(), st.text())
    @settings(max_examples=20)
    def prop(number, text):
        seen.append((number, text))

    prop()
    return seen


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE") == "fuzz", reason="make fuzz draws at random on purpose"
)
def test_the_normal_suite_draws_the_same_examples_every_run():
    assert settings.default.derandomize is True
    assert settings.default.database is None
    first, second = _draws(), _draws()
    assert len(first) == 20
    assert first == second


def test_fuzzing_draws_many_more_examples_at_random():
    from . import fuzzing

    fuzz = settings.get_profile("fuzz")
    assert fuzz.derandomize is False
    assert fuzz.database is not None
    assert fuzzing.FUZZ_SCALE >= 10
