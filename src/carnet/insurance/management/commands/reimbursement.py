import argparse
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from carnet.insurance import simulator

INPUT = """\
Input (JSON):
  {"date": "YYYY-MM-DD",
   "person": {"birth_date": "YYYY-MM-DD", "medecin_traitant": true, "pregnancy_month": null,
              "ald": false, "css": false, "pf_paid_this_year": 0,
              "franchises_paid_this_year": 0, "complementary_percent": 100},
   "care": [{"kind": "consultation", "specialty": "general_practice", "sector": "1",
             "fee": 30, "base": null, "teleconsultation": false, "ald_related": false,
             "professional": "Dr X"},
            {"kind": "medicine", "cip13": "3400930065556", "boxes": 2},
            {"kind": "medicine", "rate": 65, "price": 4.20, "boxes": 1},
            {"kind": "lab", "fee": 25}, {"kind": "nurse", "fee": 10, "sessions": 2},
            {"kind": "physiotherapy", "fee": 16.13}, {"kind": "transport", "fee": 50,
             "rate": 65, "trips": 1}, {"kind": "hospital_day", "fee": 900, "days": 1}]}
  kinds: consultation, medicine, lab, nurse, physiotherapy, transport, hospital_day;
  specialty: general_practice, endocrinology, cardiology, dermatology, gynaecology,
  ophthalmology, paediatrics, psychiatry, rheumatology, other_specialist; sector: 1, 2, optam
  (a sector 2, or OPTAM specialist, needs "base": the base de remboursement on the bill).
Output (JSON): for each care line amo_pays (Assurance Maladie), complementary_pays,
  patient_pays (euros, two decimals), the participation forfaitaire and franchise kept, and
  steps (plain-language lines, each with its rule, dates and source); totals; this_year (PF
  and franchises paid against their yearly caps).
Messages and steps are in English. Bad input: exit status 1 and a message naming the field (e.g. "care[0].fee: cannot be
  negative"); nothing is computed.
"""


class Command(BaseCommand):
    help = (
        "Reimbursements. 'reimbursement simulate FILE.json' (FILE '-' for standard input) prints "
        "what the Assurance Maladie, the complementary and the person pay for planned care, "
        "line by line with the rule behind each step, as JSON."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        simulate = sub.add_parser(
            "simulate",
            help="simulate the reimbursement of planned care",
            description=INPUT,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        simulate.add_argument("file", help="the simulation input, JSON ('-' for standard input)")

    def handle(self, *args, **opts):
        name = opts["file"]
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as f:
                    text = f.read()
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{name} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
        with translation.override("en"):
            try:
                result = simulator.run(data)
            except simulator.InvalidInput as exc:
                raise CommandError(str(exc)) from None
            out = simulator.as_json(result)
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
