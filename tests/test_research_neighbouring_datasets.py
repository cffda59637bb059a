"""One person more or less barely changes what is released (ε-differential privacy)."""

import math
from collections import Counter

import pytest

from carnet.research import queries

pytestmark = pytest.mark.no_db


def test_one_person_more_or_less_barely_changes_the_released_counts():
    eps = 0.5
    m = queries.measurement(eps)
    draws = 20_000
    a = Counter(m([40] * draws))  # the same cell released many times, 40 people
    b = Counter(m([41] * draws))  # one person more
    # Where both have enough mass, the ratio of probabilities stays within e^ε (plus sampling
    # error): the released value does not tell whether the one person is in.
    for v in range(36, 46):
        pa, pb = a[v] / draws, b[v] / draws
        assert pa > 0.01 and pb > 0.01
        assert abs(math.log(pa / pb)) <= eps + 0.25
    # And the totals are unbiased: the mean moves by about one person.
    mean_a = sum(k * n for k, n in a.items()) / draws
    mean_b = sum(k * n for k, n in b.items()) / draws
    assert 0.5 < mean_b - mean_a < 1.5
