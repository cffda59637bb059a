import os

import pytest
from django.db import connections


def test_it_runs_on_the_expected_database():
    # CI sets CARNET_EXPECT_VENDOR=postgresql for its second run: a suite that silently
    # fell back to SQLite would fail here instead of passing for the wrong reason.
    expected = os.environ.get("CARNET_EXPECT_VENDOR")
    if expected is None:
        if os.environ.get("DATABASE_URL"):
            pytest.fail("DATABASE_URL is set but CARNET_EXPECT_VENDOR is not")
        expected = "sqlite"
    assert connections["default"].vendor == expected
    assert connections["keystore"].vendor == expected
