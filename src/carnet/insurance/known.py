"""What Carnet knows of the person for the simulator's form, read through ``access``.

The birth date from the record's Patient resource, whether a médecin traitant is declared
(named in the Coffre, or as the record's general practitioner), and the participation
forfaitaire and franchises of this year as counted from the reimbursement history. Audited
searches; nothing is kept. The person changes any of it in the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from carnet.access import audience
from carnet.access.services import Actor, NotFound
from carnet.records import dates
from carnet.records import services as records

from . import history


@dataclass(frozen=True)
class Known:
    birth_date: dt.date | None = None
    medecin_traitant: bool = False
    pf_paid: Decimal = Decimal("0.00")  # counted from the history of the year, when known
    franchises_paid: Decimal = Decimal("0.00")


def _this_year(actor: Actor, patient_id: int, purpose: str, today: dt.date):
    try:
        year = history.year_of(history.rows(actor, patient_id, purpose), today.year)
    except NotFound:
        return Decimal("0.00"), Decimal("0.00")
    return year.pf.paid, year.franchises.paid


def known(actor: Actor, patient_id: int, purpose: str, today: dt.date | None = None) -> Known:
    try:
        page = records.search(actor, patient_id, "Patient", purpose, count=1)
    except NotFound:
        return Known()
    patient = page.resources[0] if page.resources else {}
    birth = dates.whole_day(patient.get("birthDate")) if patient.get("birthDate") else None
    referent = bool(patient.get("generalPractitioner"))
    if not referent:
        try:
            referent = bool(audience.of_record(actor, patient_id).referent)
        except NotFound:
            pass
    pf, franchises = _this_year(actor, patient_id, purpose, today or dt.date.today())
    return Known(birth if isinstance(birth, dt.date) else None, referent, pf, franchises)
