"""What Carnet knows of the person for the simulator's form, read through ``access``.

The birth date from the record's Patient resource, and whether a médecin traitant is
declared (named in the Coffre, or as the record's general practitioner). One audited search;
nothing is kept. The person changes any of it in the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carnet.access import audience
from carnet.access.services import Actor, NotFound
from carnet.records import dates
from carnet.records import services as records


@dataclass(frozen=True)
class Known:
    birth_date: dt.date | None = None
    medecin_traitant: bool = False


def known(actor: Actor, patient_id: int, purpose: str) -> Known:
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
    return Known(birth if isinstance(birth, dt.date) else None, referent)
