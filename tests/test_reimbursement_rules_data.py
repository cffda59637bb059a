"""The reimbursement rules are dated data: each figure with its dates and source, the day's
rules picked by date, a new figure is a data change; medicine prices come from the BDPM copy."""

import datetime as dt
import gzip
import json
import shutil

import pytest

from carnet.insurance import rules, simulator
from carnet.insurance.rules import make_medicine_prices

from .helpers import DATA


def test_every_figure_has_its_dates_and_source():
    doc = json.loads(rules.RULES_FILE.read_text())
    for name, periods in doc["parameters"].items():
        for period in periods:
            assert period["from"] and period["source"] and period["says"], name
            assert "UNVERIFIED" not in period["says"], name
    assert rules.book().begins == dt.date(2024, 12, 22)


def test_a_new_figure_applies_from_its_date(tmp_path, monkeypatch):
    doc = json.loads(rules.RULES_FILE.read_text())
    [old] = doc["parameters"]["pf.amount"]
    old["until"] = "2025-12-31"
    doc["parameters"]["pf.amount"].append(
        {"value": "3.00", "from": "2026-01-01", "until": None, "source": "test", "says": "3 €"}
    )
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(rules, "book", lambda: rules.load(path))
    care = {"kind": "consultation", "fee": 30}
    person = {"birth_date": "1980-01-01", "medecin_traitant": True}

    def amo(day):
        data = {"date": day, "person": person, "care": [care]}
        return simulator.as_json(simulator.run(data))["care"][0]["amo_pays"]

    assert amo("2025-12-31") == "19.00"  # 21.00 − 2.00
    assert amo("2026-01-01") == "18.00"  # 21.00 − 3.00


def test_a_day_with_no_rule_in_force_is_an_error(tmp_path):
    doc = json.loads(rules.RULES_FILE.read_text())
    doc["parameters"]["pf.amount"][0]["until"] = "2025-12-31"
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(rules.NoRule, match="pf.amount"):
        rules.load(path).on(dt.date(2026, 1, 1))["pf.amount"]


def test_the_shipped_medicine_prices_are_built_from_the_bdpm_copy(tmp_path):
    bdpm = DATA / "fr-reference" / "bdpm"
    for name in ("CIS_CIP_bdpm.txt", "CIS_bdpm.txt"):
        shutil.copyfileobj(gzip.open(bdpm / f"{name}.gz"), (tmp_path / name).open("wb"))
    built = make_medicine_prices.build(tmp_path / "CIS_CIP_bdpm.txt", tmp_path / "CIS_bdpm.txt")
    shipped = (rules.DATA / "medicine_prices.tsv.gz").read_bytes()
    assert gzip.decompress(built) == gzip.decompress(shipped)
    # a price written with a thousands separator ("3,181,95") is read as 3181.95
    assert str(rules.pack("3400921687613").price) == "3181.95"
