"""The simulator page's form: its choices, its first values, and the input it posts.

The form is plain HTML (works without JavaScript); ``to_input`` turns what was posted into
the simulator's input (the format of ``carnet reimbursement simulate``), ``values`` gives
back what the person typed, and ``field_of`` tells which input holds the field an error
names (« care[1].fee » → « care-1-fee »).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from .known import Known

SLOTS = 3
KINDS = [
    ("consultation", _("Consultation with a doctor")),
    ("medicine", _("A medicine (boxes)")),
    ("lab", _("Lab tests")),
    ("nurse", _("Nurse care (sessions)")),
    ("physiotherapy", _("Physiotherapy (sessions)")),
    ("transport", _("Medical transport (trips)")),
    ("hospital_day", _("Hospital stay (days)")),
]
SPECIALTIES = [
    ("general_practice", _("GP (general practitioner)")),
    ("endocrinology", _("Endocrinologist (hormones, diabetes)")),
    ("cardiology", _("Cardiologist (heart)")),
    ("dermatology", _("Dermatologist (skin)")),
    ("gynaecology", _("Gynaecologist")),
    ("ophthalmology", _("Ophthalmologist (eyes)")),
    ("paediatrics", _("Paediatrician (children)")),
    ("psychiatry", _("Psychiatrist")),
    ("rheumatology", _("Rheumatologist (joints)")),
    ("other_specialist", _("Another specialist")),
]
SECTORS = [
    ("1", _("Sector 1: no excess fees")),
    ("optam", _("Sector 2 with OPTAM: moderate excess fees")),
    ("2", _("Sector 2: free excess fees")),
]
CARE_FIELDS = (
    "kind",
    "specialty",
    "sector",
    "fee",
    "base",
    "cip13",
    "rate",
    "quantity",
    "teleconsultation",
    "ald_related",
)
PERSON_FIELDS = (
    "birth_date",
    "medecin_traitant",
    "pregnancy_month",
    "ald",
    "css",
    "pf_paid_this_year",
    "franchises_paid_this_year",
    "complementary_percent",
)
QUANTITY = {"medicine": "boxes", "nurse": "sessions", "physiotherapy": "sessions"}
QUANTITY |= {"transport": "trips", "hospital_day": "days"}


def initial(known: Known, today: dt.date) -> dict:
    values = {
        "date": today.isoformat(),
        "birth_date": known.birth_date.isoformat() if known.birth_date else "",
        "medecin_traitant": known.medecin_traitant,
        "complementary_percent": "100",
        "pf_paid_this_year": f"{known.pf_paid:.2f}",
        "franchises_paid_this_year": f"{known.franchises_paid:.2f}",
    }
    for i in range(SLOTS):
        values |= {f"care-{i}-kind": "consultation" if i == 0 else "", f"care-{i}-sector": "1"}
        values |= {f"care-{i}-specialty": "general_practice", f"care-{i}-quantity": "1"}
    return values


def values(post) -> dict:
    out = {"date": post.get("date", "")}
    for name in PERSON_FIELDS:
        out[name] = post.get(name, "")
    for name in ("medecin_traitant", "ald", "css"):
        out[name] = post.get(name) == "on"
    for i in range(SLOTS):
        for name in CARE_FIELDS:
            out[f"care-{i}-{name}"] = post.get(f"care-{i}-{name}", "")
        for name in ("teleconsultation", "ald_related"):
            out[f"care-{i}-{name}"] = post.get(f"care-{i}-{name}") == "on"
    return out


def _number(text: str):
    text = (text or "").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    return text or None


def to_input(v: dict) -> tuple[dict, list[int]]:
    """The simulator's input, and the form slot of each care line."""
    person = {
        "birth_date": v["birth_date"],
        "medecin_traitant": v["medecin_traitant"],
        "pregnancy_month": v["pregnancy_month"] or None,
        "ald": v["ald"],
        "css": v["css"],
        "pf_paid_this_year": _number(v["pf_paid_this_year"]) or 0,
        "franchises_paid_this_year": _number(v["franchises_paid_this_year"]) or 0,
        "complementary_percent": v["complementary_percent"] or None,
    }
    care = []
    for i in range(SLOTS):
        kind = v[f"care-{i}-kind"]
        if not kind:
            continue
        line: dict = {"kind": kind, "ald_related": v[f"care-{i}-ald_related"]}
        fee, base = _number(v[f"care-{i}-fee"]), _number(v[f"care-{i}-base"])
        if kind == "consultation":
            line |= {
                "specialty": v[f"care-{i}-specialty"],
                "sector": v[f"care-{i}-sector"],
                "teleconsultation": v[f"care-{i}-teleconsultation"],
            }
        if kind == "medicine":
            cip13 = v[f"care-{i}-cip13"].strip()
            if cip13:
                line["cip13"] = cip13
            else:
                rate = (v[f"care-{i}-rate"] or "").strip()
                line |= {"rate": int(rate) if rate.isdigit() else rate or None, "price": fee}
                fee = None
        if kind == "transport":
            rate = (v[f"care-{i}-rate"] or "").strip()
            line["rate"] = int(rate) if rate.isdigit() else rate or None
        if fee is not None:
            line["fee"] = fee
        if base is not None:
            line["base"] = base
        if kind in QUANTITY:
            line[QUANTITY[kind]] = v[f"care-{i}-quantity"] or "1"
        line["professional"] = f"slot {i}"
        care.append((i, line))
    data = {"date": v["date"], "person": person, "care": [line for _i, line in care]}
    return data, [i for i, _line in care]


def field_of(field: str, slots: list[int]) -> str:
    """The form input that holds a simulator field: 'care[1].boxes' -> 'care-<slot>-quantity'."""
    found = re.fullmatch(r"care\[(\d+)\]\.(\w+)", field)
    if found:
        index, name = int(found.group(1)), found.group(2)
        slot = slots[index] if index < len(slots) else 0
        name = {"boxes": "quantity", "sessions": "quantity", "trips": "quantity"}.get(name, name)
        name = {"days": "quantity", "price": "fee"}.get(name, name)
        return f"care-{slot}-{name}"
    if field.startswith("person."):
        return field.split(".", 1)[1]
    return {"care": "care-0-kind", "input": "date"}.get(field, field)


# The label of each input, for an error message that names the answer to check (the same
# words as on the page).
LABELS = {
    "date": _("Date of the care"),
    "birth_date": _("Date of birth"),
    "pregnancy_month": _("Pregnancy"),
    "complementary_percent": _("Your complementary pays"),
    "pf_paid_this_year": _("Participation forfaitaire already paid this year (€)"),
    "franchises_paid_this_year": _("Franchises already paid this year (€)"),
    "ald": _("I have a long-term illness recognised by the Assurance Maladie (ALD)"),
    "kind": _("What is planned"),
    "specialty": _("Which doctor (for a consultation)"),
    "sector": _("The doctor's sector (on ameli's directory)"),
    "fee": _("Price asked (€), for one; for a GP in sector 1 you may leave it empty"),
    "base": _("Base of reimbursement (€), if the doctor charges more than it (sector 2, OPTAM)"),
    "cip13": _("Medicine: the 13-digit code on the box (CIP)"),
    "rate": _("Reimbursement rate"),
    "quantity": _("How many (boxes, sessions, trips, days)"),
    "ald_related": _("This care is for my long-term illness (ALD)"),
}


def label_of(field: str) -> str:
    """The label of a form input (« care-0-fee » → the price's label)."""
    found = re.fullmatch(r"care-\d+-(\w+)", field)
    return str(LABELS.get(found.group(1) if found else field, field))
