"""`carnet reimbursement simulate FILE.json` prints the simulation as JSON; `-` reads stdin."""

import json

import pytest
from django.core.management import CommandError, call_command

from .cli import carnet

KARIM = {
    "date": "2025-03-03",
    "person": {
        "birth_date": "1973-09-02",
        "medecin_traitant": True,
        "pregnancy_month": None,
        "ald": True,
        "css": False,
        "complementary_percent": 150,
    },
    "care": [
        {
            "kind": "consultation",
            "specialty": "endocrinology",
            "sector": "optam",
            "fee": 60,
            "base": 30,
            "ald_related": True,
        },
        {"kind": "medicine", "cip13": "3400930065556", "boxes": 2},
    ],
}


def test_it_reads_standard_input_and_documents_itself(tmp_path):
    out = json.loads(
        carnet(tmp_path, "reimbursement", "simulate", "-", input=json.dumps(KARIM)).stdout
    )
    # consultation: 30.00 × 100 % (ALD) − PF 2.00 = 28.00; complementary 45.00 − 30.00 = 15.00;
    # left 17.00. Levothyrox 2 × 1.75 = 3.50 × 65 % = 2.28 − 2.00 = 0.28; complementary
    # 5.25 − 2.28 = 2.97 but only 3.50 − 2.28 = 1.22 left: 1.22; left 2.00.
    assert [(c["amo_pays"], c["complementary_pays"], c["patient_pays"]) for c in out["care"]] == [
        ("28.00", "15.00", "17.00"),
        ("0.28", "1.22", "2.00"),
    ]
    assert out["totals"] == {
        "fee": "63.50",
        "amo_pays": "28.28",
        "complementary_pays": "16.22",
        "patient_pays": "19.00",
    }
    assert all(step["text"] for c in out["care"] for step in c["steps"])
    usage = carnet(tmp_path, "reimbursement", "simulate", "--help").stdout
    assert "FILE" in usage.upper() and "amo_pays" in usage and "standard input" in usage


def test_it_reads_a_file(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(KARIM))
    call_command("reimbursement", "simulate", str(path))
    assert json.loads(capsys.readouterr().out)["totals"]["patient_pays"] == "19.00"


@pytest.mark.parametrize(
    "text,message",
    [
        ('{"date": "2024-01-01", "care": []}', "date: Carnet's rules begin on 2024-12-22"),
        ("{not json", "is not valid JSON"),
        (
            json.dumps(KARIM | {"care": [{"kind": "lab", "fee": -3}]}),
            "care[0].fee: cannot be negative",
        ),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, capsys, text, message):
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call_command("reimbursement", "simulate", str(path))
    assert capsys.readouterr().out == ""
