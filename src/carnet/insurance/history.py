"""My reimbursements: what was paid and what came back, from the record, through ``access``.

Three sources, read only through ``records`` (so through a permit, each read audited):
ExplanationOfBenefit (imported, e.g. Synthea, and the person's own entries, which are
saved as ExplanationOfBenefit), and the acts of the Assurance Maladie's reimbursement
history (CNAM-HR CDA), imported as Procedures coded in the CNAM's act lists (NGAP, CCAM,
NABM), MedicationStatements and SupplyDeliveries coded in its medicine and device lists,
which give the care and its date (for a medicine, the document's date) but no amounts. A practitioner sees the history
only if the person shares its kinds of items with them: the policy decides, and what it
hides is simply absent.

The participation forfaitaire and franchises of a year are counted from the history against
their yearly caps (rules in force that year); a year before Carnet's rules is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from carnet.access.services import Actor, NotFound
from carnet.records import dates, entries
from carnet.records import services as records

from . import rules as rulebook

CENT = Decimal("0.01")
# The CNAM's act lists in CNAM-HR documents (JDV_sejours_actes_CNAM-HR_CISIS).
CNAM_ACTS = {
    "urn:oid:1.2.250.1.215.200.3.3": "NGAP",
    "urn:oid:1.2.250.1.215.200.3.4": "CCAM",
    "urn:oid:1.2.250.1.215.200.4.1": "NABM",
}
# Medicines and devices the CNAM-HR history lists (CIP/UCD, LPP codes of the CNAM).
CNAM_PREFIX = "urn:oid:1.2.250.1.215.200."
OWN = "https://carnet.example/fhir/reimbursement-entry"
KINDS = ("act", "medicine", "other")  # own entries: what PF or franchise applies
PAGE = 1000


@dataclass
class Row:
    day: dt.date
    what: str
    who: str
    source: str  # "cnam", "eob" or "own"
    item_id: str
    kind: str = "act"
    boxes: int = 0
    currency: str = "EUR"
    cost: Decimal | None = None
    insurer: Decimal | None = None
    complementary: Decimal | None = None
    visit_id: str = ""

    @property
    def left(self) -> Decimal | None:
        if self.cost is None or self.insurer is None:
            return None
        return self.cost - self.insurer - (self.complementary or Decimal(0))


@dataclass
class Counter:
    counted: bool
    paid: Decimal = Decimal("0.00")
    cap: Decimal = Decimal("0.00")


@dataclass
class Period:
    label: dt.date
    rows: list[Row] = field(default_factory=list)

    @property
    def totals(self) -> list[dict]:
        """Per currency: cost, paid by the insurance, by the complementary, left (known ones)."""
        out: dict[str, dict] = {}
        for row in self.rows:
            if row.cost is None:
                continue
            t = out.setdefault(
                row.currency,
                {"currency": row.currency, "cost": Decimal(0), "insurer": Decimal(0)},
            )
            t["cost"] += row.cost
            t["insurer"] += row.insurer or 0
            t["complementary"] = t.get("complementary", Decimal(0)) + (row.complementary or 0)
            t["left"] = t.get("left", Decimal(0)) + (row.left or 0)
        return list(out.values())

    @property
    def unknown(self) -> int:
        return sum(1 for r in self.rows if r.cost is None)


@dataclass
class Year(Period):
    months: list[Period] = field(default_factory=list)
    pf: Counter = field(default_factory=lambda: Counter(False))
    franchises: Counter = field(default_factory=lambda: Counter(False))


def _money(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _all(actor: Actor, patient_id: int, rtype: str, purpose: str) -> list[dict]:
    out: list[dict] = []
    while True:
        page = records.search(actor, patient_id, rtype, purpose, count=PAGE, offset=len(out))
        out += page.resources
        if len(out) >= page.total or not page.resources:
            return out


def _text(concept: dict | None) -> str:
    concept = concept or {}
    if concept.get("text"):
        return concept["text"]
    return next((c.get("display", "") for c in concept.get("coding") or [] if c.get("display")), "")


def _cnam_row(proc: dict) -> Row | None:
    codings = (proc.get("code") or {}).get("coding") or []
    if not any(c.get("system") in CNAM_ACTS for c in codings):
        return None
    day = dates.whole_day(proc.get("performedDateTime") or "")
    if day is None:
        return None
    what = _text(proc.get("code"))
    who = ", ".join(
        p["actor"]["display"]
        for p in proc.get("performer") or []
        if p.get("actor", {}).get("display")
    )
    return Row(
        day, what[:1] + what[1:].lower() if what.isupper() else what, who, "cnam", proc["id"]
    )


def _cnam_coded(concept: dict | None) -> bool:
    return any(
        str(c.get("system", "")).startswith(CNAM_PREFIX)
        for c in (concept or {}).get("coding") or []
    )


def _cnam_medicine_row(statement: dict) -> Row | None:
    if not _cnam_coded(statement.get("medicationCodeableConcept")):
        return None
    day = dates.whole_day(
        statement.get("effectiveDateTime")
        or (statement.get("effectivePeriod") or {}).get("start")
        or statement.get("dateAsserted")
        or ""
    )
    if day is None:
        return None
    what = _text(statement.get("medicationCodeableConcept"))
    return Row(day, what, "", "cnam", statement["id"], kind="medicine", boxes=1)


def _cnam_device_row(delivery: dict) -> Row | None:
    item = (delivery.get("suppliedItem") or {}).get("itemCodeableConcept")
    day = dates.whole_day(
        delivery.get("occurrenceDateTime")
        or (delivery.get("occurrencePeriod") or {}).get("start")
        or ""
    )
    if not _cnam_coded(item) or day is None:
        return None
    return Row(day, _text(item), "", "cnam", delivery["id"], kind="other")


def _amount(eob: dict, *codes: str) -> dict | None:
    for t in eob.get("total") or []:
        for c in (t.get("category") or {}).get("coding") or []:
            if c.get("code") in codes:
                return t.get("amount")
    return None


def _eob_row(eob: dict) -> Row | None:
    items = eob.get("item") or []
    first = items[0] if items else {}
    day = dates.whole_day(
        first.get("servicedDate")
        or (first.get("servicedPeriod") or {}).get("start")
        or (eob.get("billablePeriod") or {}).get("start")
        or eob.get("created")
        or ""
    )
    if day is None:
        return None
    own = any(c.get("system") == OWN for c in (eob.get("meta") or {}).get("tag") or [])
    who = (eob.get("provider") or {}).get("display", "")
    what = " · ".join(t for t in (_text(i.get("productOrService")) for i in items) if t)
    submitted = _amount(eob, "submitted") or {}
    payment = (eob.get("payment") or {}).get("amount") or {}
    complementary = _amount(eob, "complementary")
    kind = next(
        (c.get("code") for c in (eob.get("meta") or {}).get("tag") or [] if c.get("system") == OWN),
        "act",
    )
    boxes = int((first.get("quantity") or {}).get("value") or 0) if kind == "medicine" else 0
    visit = next(
        (e.get("reference", "") for i in items for e in i.get("encounter") or []), ""
    ).rpartition("/")[2]
    return Row(
        day,
        what or _("Reimbursement"),
        "" if who == "?" else who,
        "own" if own else "eob",
        eob["id"],
        kind=kind if kind in KINDS else "act",
        boxes=boxes,
        currency=submitted.get("currency") or payment.get("currency") or "EUR",
        cost=_money(submitted.get("value")),
        insurer=_money(payment.get("value")),
        complementary=_money((complementary or {}).get("value")) if complementary else None,
        visit_id=visit,
    )


def rows(actor: Actor, patient_id: int, purpose: str) -> list[Row]:
    """Every reimbursement line the actor may see, newest first (NotFound if none at all)."""
    found: list[Row] = []
    refused = 0
    sources = (
        ("ExplanationOfBenefit", _eob_row),
        ("Procedure", _cnam_row),
        ("MedicationStatement", _cnam_medicine_row),
        ("SupplyDelivery", _cnam_device_row),
    )
    for rtype, convert in sources:
        try:
            resources = _all(actor, patient_id, rtype, purpose)
        except NotFound:
            refused += 1
            continue
        found += [row for row in map(convert, resources) if row is not None]
    if refused == len(sources):
        raise NotFound()
    return sorted(found, key=lambda r: (r.day, r.what), reverse=True)


def _caps(year: int, lines: list[Row]) -> tuple[Counter, Counter]:
    """PF and franchises of the year from its lines, against the caps in force (estimate:
    2 € per consultation or act, at most 4 € a day; 1 € per box), or not counted."""
    book = rulebook.book()
    end = dt.date(year, 12, 31)
    if end < book.begins:
        return Counter(False), Counter(False)
    on = book.on(max(dt.date(year, 1, 1), book.begins))
    pf_unit, pf_day = on["pf.amount"].amount, on["pf.daily_cap_per_professional"].amount
    box = on["franchise.medicine_box"].amount
    by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    franchises = Decimal("0.00")
    for row in lines:
        if row.day < book.begins:
            continue
        if row.kind == "act":
            by_day[row.day] = min(pf_day, by_day[row.day] + pf_unit)
        elif row.kind == "medicine":
            franchises += box * max(1, row.boxes)
    pf_cap, fr_cap = on["pf.yearly_cap"].amount, on["franchise.yearly_cap"].amount
    pf = min(pf_cap, sum(by_day.values(), Decimal("0.00")))
    return Counter(True, pf, pf_cap), Counter(True, min(fr_cap, franchises), fr_cap)


def years(found: list[Row]) -> list[int]:
    return sorted({r.day.year for r in found}, reverse=True)


def year_of(found: list[Row], year: int) -> Year:
    lines = [r for r in found if r.day.year == year]
    result = Year(dt.date(year, 1, 1), lines)
    months: dict[int, Period] = {}
    for row in lines:
        months.setdefault(row.day.month, Period(dt.date(year, row.day.month, 1))).rows.append(row)
    result.months = [months[m] for m in sorted(months, reverse=True)]
    result.pf, result.franchises = _caps(year, lines)
    return result


def add_own(
    actor: Actor,
    patient_id: int,
    purpose: str,
    *,
    day: dt.date,
    what: str,
    who: str,
    kind: str,
    cost: Decimal,
    insurer: Decimal,
    complementary: Decimal | None,
    boxes: int = 0,
) -> dict:
    """Save the person's own reimbursement line as an ExplanationOfBenefit (encrypted,
    audited, governed by the Coffre like every item)."""
    patient = entries.own_patient(actor, patient_id, purpose)

    def eur(x: Decimal) -> dict:
        return {"value": float(x), "currency": "EUR"}

    adjudication = "http://terminology.hl7.org/CodeSystem/adjudication"
    total = [
        {
            "category": {"coding": [{"system": adjudication, "code": "submitted"}]},
            "amount": eur(cost),
        }
    ]
    if complementary is not None:
        total.append(
            {
                "category": {
                    "coding": [{"system": OWN, "code": "complementary"}],
                    "text": "Complementary",
                },
                "amount": eur(complementary),
            }
        )
    item: dict = {
        "sequence": 1,
        "productOrService": {"text": what},
        "servicedDate": day.isoformat(),
    }
    if kind == "medicine" and boxes:
        item["quantity"] = {"value": boxes}
    resource = {
        "resourceType": "ExplanationOfBenefit",
        "meta": {"tag": [dict(entries.ENTERED_BY_PERSON), {"system": OWN, "code": kind}]},
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "claim",
        "patient": {"reference": f"Patient/{patient['id']}"},
        "created": day.isoformat(),
        "insurer": {"display": "Assurance Maladie"},
        "provider": {"display": who or "?"},
        "outcome": "complete",
        "insurance": [{"focal": True, "coverage": {"display": "Assurance Maladie"}}],
        "item": [item],
        "total": total,
        "payment": {"amount": eur(insurer)},
    }
    return records.create(actor, patient_id, resource, purpose)
