"""What a planned care will cost: the Assurance Maladie's share, the complementary's, the rest.

Pure functions over the dated rules (``rules``): ``parse`` turns the input (the format of
``carnet reimbursement simulate``, also built by the simulator page) into a typed
``Simulation`` or raises ``InvalidInput`` naming the field; ``simulate`` returns, per care
line, ``amo_pays``, ``complementary_pays`` and ``patient_pays`` to the cent with the steps
that explain them, each naming its rule, the rule's dates and its source; ``as_json`` gives
the CLI's output. Nothing is stored and nothing is read from a record here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from . import rules as rulebook
from .rules import Rule, RulesOn

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
KINDS = ("consultation", "medicine", "lab", "nurse", "physiotherapy", "transport", "hospital_day")
SPECIALTIES = (
    "general_practice",
    "endocrinology",
    "cardiology",
    "dermatology",
    "gynaecology",
    "ophthalmology",
    "paediatrics",
    "psychiatry",
    "rheumatology",
    "other_specialist",
)
SECTORS = ("1", "2", "optam")
# Which count each kind takes ("boxes": 2), and its most.
QUANTITY = {"medicine": "boxes", "nurse": "sessions", "physiotherapy": "sessions"}
QUANTITY |= {"transport": "trips", "hospital_day": "days"}
MAX_QUANTITY = 99


class InvalidInput(ValueError):
    """Bad input: ``field`` names where (``person.pregnancy_month``, ``care[1].fee``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Person:
    birth_date: dt.date
    medecin_traitant: bool = False
    pregnancy_month: int | None = None
    ald: bool = False
    css: bool = False
    pf_paid: Decimal = ZERO
    franchises_paid: Decimal = ZERO
    complementary: int | None = None  # % of the base the complementary covers in all


@dataclass(frozen=True)
class Care:
    kind: str
    fee: Decimal | None = None
    base: Decimal | None = None
    specialty: str = "general_practice"
    sector: str = "1"
    teleconsultation: bool = False
    ald_related: bool = False
    cip13: str = ""
    rate: int | None = None
    quantity: int = 1
    professional: str = ""


@dataclass(frozen=True)
class Simulation:
    day: dt.date
    person: Person
    care: tuple[Care, ...]


@dataclass
class Step:
    text: str
    rule: Rule | None = None

    def as_json(self) -> dict:
        out: dict[str, Any] = {"text": self.text}
        if self.rule is not None:
            out |= self.rule.cite()
        return out


@dataclass
class Line:
    label: str
    fee: Decimal
    base: Decimal
    amo_pays: Decimal
    complementary_pays: Decimal
    patient_pays: Decimal
    participation_forfaitaire: Decimal = ZERO
    franchise: Decimal = ZERO
    steps: list[Step] = field(default_factory=list)


@dataclass
class Result:
    day: dt.date
    lines: list[Line]
    pf_year: Decimal
    pf_cap: Decimal
    franchises_year: Decimal
    franchise_cap: Decimal

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)


# ---------------------------------------------------------------- input


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(where, _("must be true or false"))
    return value


def _money(value: Any, where: str, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(where, _("is missing: give an amount in euros"))
        return None
    if isinstance(value, bool):
        raise InvalidInput(where, _("must be an amount in euros"))
    try:
        amount = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(where, _("must be an amount in euros")) from None
    if not amount.is_finite():
        raise InvalidInput(where, _("must be an amount in euros"))
    if amount < 0:
        raise InvalidInput(where, _("cannot be negative"))
    if amount > 100000:
        raise InvalidInput(where, _("is too large (more than 100,000 €)"))
    return amount.quantize(CENT, ROUND_HALF_UP)


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(
            where, _("must be a whole number from %(low)s to %(high)s") % {"low": low, "high": high}
        )
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(
            where, _("must be a whole number from %(low)s to %(high)s") % {"low": low, "high": high}
        ) from None
    if not low <= number <= high:
        raise InvalidInput(
            where, _("must be a whole number from %(low)s to %(high)s") % {"low": low, "high": high}
        )
    return number


def _day(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(where, _("must be a date written YYYY-MM-DD")) from None


def _person(data: Any, day: dt.date, on: RulesOn) -> Person:
    if not isinstance(data, dict):
        raise InvalidInput("person", _("is missing"))
    birth = _day(data.get("birth_date"), "person.birth_date")
    if birth > day:
        raise InvalidInput("person.birth_date", _("is after the date of the care"))
    month = data.get("pregnancy_month")
    pregnancy = None if month in (None, "") else _int(month, "person.pregnancy_month", 1, 9)
    level = data.get("complementary_percent")
    return Person(
        birth_date=birth,
        medecin_traitant=_bool(data.get("medecin_traitant"), "person.medecin_traitant"),
        pregnancy_month=pregnancy,
        ald=_bool(data.get("ald"), "person.ald"),
        css=_bool(data.get("css"), "person.css"),
        pf_paid=_money(data.get("pf_paid_this_year", 0), "person.pf_paid_this_year") or ZERO,
        franchises_paid=_money(
            data.get("franchises_paid_this_year", 0), "person.franchises_paid_this_year"
        )
        or ZERO,
        complementary=None
        if level in (None, "")
        else _int(level, "person.complementary_percent", 0, 1000),
    )


def _care(data: Any, where: str, person: Person, on: RulesOn) -> Care:
    if not isinstance(data, dict):
        raise InvalidInput(where, _("must be an object with a 'kind'"))
    kind = data.get("kind")
    if kind not in KINDS:
        raise InvalidInput(
            f"{where}.kind",
            _("unknown act %(kind)s; known: %(known)s")
            % {"kind": repr(kind), "known": ", ".join(KINDS)},
        )
    ald_related = _bool(data.get("ald_related"), f"{where}.ald_related")
    if ald_related and not person.ald:
        raise InvalidInput(f"{where}.ald_related", _("the person has no ALD (person.ald is false)"))
    count = QUANTITY.get(kind)
    quantity = _int(data.get(count, 1), f"{where}.{count}", 1, MAX_QUANTITY) if count else 1
    args: dict[str, Any] = {
        "kind": kind,
        "ald_related": ald_related,
        "quantity": quantity,
        "professional": str(data.get("professional") or ""),
    }
    fee = _money(data.get("fee"), f"{where}.fee", required=False)
    base = _money(data.get("base"), f"{where}.base", required=False)
    if kind == "consultation":
        specialty = data.get("specialty", "general_practice")
        if specialty not in SPECIALTIES:
            raise InvalidInput(
                f"{where}.specialty",
                _("unknown specialty %(name)s; known: %(known)s")
                % {"name": repr(specialty), "known": ", ".join(SPECIALTIES)},
            )
        sector = str(data.get("sector", "1")).lower()
        if sector not in SECTORS:
            raise InvalidInput(f"{where}.sector", _("must be '1', '2' or 'optam'"))
        gp = specialty == "general_practice"
        if base is None and (sector == "2" or (sector == "optam" and not gp)):
            raise InvalidInput(
                f"{where}.base",
                _(
                    "give the base (« base de remboursement ») shown on the bill or in ameli's "
                    "directory: Carnet has no verified figure for this doctor's base"
                ),
            )
        if fee is None and not (gp and sector != "2"):
            raise InvalidInput(f"{where}.fee", _("is missing: give the price the doctor charges"))
        args |= {
            "specialty": specialty,
            "sector": sector,
            "teleconsultation": _bool(data.get("teleconsultation"), f"{where}.teleconsultation"),
        }
    elif kind == "medicine":
        cip13 = str(data.get("cip13") or "").strip()
        rate = data.get("rate")
        allowed = on["medicine.rates"].value
        if cip13:
            found = rulebook.pack(cip13)
            if found is None:
                raise InvalidInput(
                    f"{where}.cip13", _("no pack with this code in the public medicine database")
                )
            if fee is None:
                if found.price is None:
                    raise InvalidInput(
                        f"{where}.price", _("this pack has no public price: give its price")
                    )
                fee = found.price
            args |= {"cip13": cip13, "rate": found.rate or 0}
        else:
            if rate is None:
                raise InvalidInput(f"{where}.cip13", _("give the pack's code (CIP13) or its rate"))
            if isinstance(rate, bool) or rate not in allowed:
                raise InvalidInput(
                    f"{where}.rate",
                    _("must be one of %(rates)s") % {"rates": ", ".join(str(r) for r in allowed)},
                )
            price = _money(data.get("price"), f"{where}.price", required=False)
            fee = fee if price is None else price
            if fee is None:
                raise InvalidInput(f"{where}.price", _("is missing: give the pack's price"))
            args["rate"] = rate
    elif kind == "transport":
        if fee is None:
            raise InvalidInput(f"{where}.fee", _("is missing: give the price of one trip"))
        args["rate"] = (
            _int(data.get("rate"), f"{where}.rate", 0, 100)
            if data.get("rate") is not None
            else None
        )
        if args["rate"] is None:
            raise InvalidInput(
                f"{where}.rate",
                _("give the rate shown on the bill: Carnet has no verified rate for transport"),
            )
    elif fee is None:
        raise InvalidInput(f"{where}.fee", _("is missing: give the price"))
    if fee is not None and base is not None and base > fee:
        raise InvalidInput(f"{where}.base", _("cannot be more than the fee"))
    return Care(fee=fee, base=base, **args)


def parse(data: Any) -> Simulation:
    """The typed simulation, or ``InvalidInput`` naming the first field at fault."""
    if not isinstance(data, dict):
        raise InvalidInput("input", _("must be a JSON object with date, person and care"))
    day = _day(data.get("date"), "date")
    try:
        on = rulebook.rules_on(day)
        on["pf.amount"]
    except rulebook.NoRule as exc:
        raise InvalidInput(
            "date",
            _("Carnet's rules begin on %(day)s") % {"day": rulebook.book().begins.isoformat()}
            if day < rulebook.book().begins
            else str(exc),
        ) from None
    person = _person(data.get("person"), day, on)
    care = data.get("care")
    if not isinstance(care, list) or not care:
        raise InvalidInput("care", _("give at least one care line"))
    if len(care) > 50:
        raise InvalidInput("care", _("at most 50 care lines"))
    lines = tuple(_care(c, f"care[{i}]", person, on) for i, c in enumerate(care))
    return Simulation(day, person, lines)


# ---------------------------------------------------------------- computation


def euros(amount: Decimal) -> str:
    return formats.number_format(amount, 2, use_l10n=True) + "\u00a0€"


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _pct(amount: Decimal, percent: Any) -> Decimal:
    return (amount * Decimal(str(percent)) / 100).quantize(CENT, ROUND_HALF_UP)


def _label(care: Care) -> str:
    if care.kind == "consultation":
        who = _("a GP") if care.specialty == "general_practice" else _("a specialist")
        if care.teleconsultation:
            return _("Teleconsultation with %(who)s") % {"who": who}
        return _("Consultation with %(who)s") % {"who": who}
    if care.kind == "medicine":
        found = rulebook.pack(care.cip13) if care.cip13 else None
        name = (
            found.name if found else _("a medicine reimbursed at %(rate)s %%") % {"rate": care.rate}
        )
        return _("%(n)s × %(name)s") % {"n": care.quantity, "name": name}
    return {
        "lab": _("Lab tests"),
        "nurse": _("Nurse care"),
        "physiotherapy": _("Physiotherapy"),
        "transport": _("Medical transport"),
        "hospital_day": _("Hospital stay"),
    }[care.kind]


class _Year:
    """What the person has paid this year and today, while the lines are computed."""

    def __init__(self, person: Person, on: RulesOn):
        self.pf = person.pf_paid
        self.franchises = person.franchises_paid
        self.pf_today: dict[str, Decimal] = {}
        self.franchise_today: dict[str, Decimal] = {}


def _exemption(person: Person, age: int, on: RulesOn) -> tuple[str, Rule] | None:
    minor = on["exemption.minor_age"]
    if age < minor.value:
        return _("you are under %(age)s") % {"age": minor.value}, minor
    if person.css:
        return _("you have the Complémentaire santé solidaire (CSS)"), on["exemption.css"]
    pregnancy = on["exemption.pregnancy_from_month"]
    if person.pregnancy_month and person.pregnancy_month >= pregnancy.value:
        return _("you are in the 6th month of pregnancy or later"), pregnancy
    return None


def _rate(care: Care, person: Person, age: int, on: RulesOn, steps: list[Step]) -> Decimal:
    maternity = on["maternity.from_month"]
    if person.pregnancy_month and person.pregnancy_month >= maternity.value:
        rule = on["rate.maternity"]
        steps.append(
            Step(
                _("From the 6th month of pregnancy, it pays %(rate)s %% of the base.")
                % {"rate": rule.value},
                rule,
            )
        )
        return Decimal(rule.value)
    if care.ald_related:
        rule = on["rate.ald"]
        steps.append(
            Step(
                _("This care is for your long-term illness (ALD): it pays %(rate)s %% of the base.")
                % {"rate": rule.value},
                rule,
            )
        )
        return Decimal(rule.value)
    if care.kind == "consultation":
        adult = on["parcours.adult_age"]
        if person.medecin_traitant or age < adult.value:
            rule = on["rate.consultation.parcours"]
            why = (
                _("you have declared a médecin traitant")
                if person.medecin_traitant
                else _("you are under %(age)s") % {"age": adult.value}
            )
            steps.append(
                Step(
                    _("It pays %(rate)s %% of the base because %(why)s.")
                    % {"rate": rule.value, "why": why},
                    rule,
                )
            )
        else:
            rule = on["rate.consultation.outside_parcours"]
            steps.append(
                Step(
                    _(
                        "It pays only %(rate)s %% of the base because you have not declared a "
                        "médecin traitant."
                    )
                    % {"rate": rule.value},
                    rule,
                )
            )
        return Decimal(rule.value)
    if care.kind == "medicine":
        rule = on["medicine.rates"] if not care.cip13 else on["medicine.prices"]
        if care.rate:
            text = _("This medicine is reimbursed at %(rate)s %% of its price.") % {
                "rate": care.rate
            }
        else:
            text = _("This medicine is not reimbursed by the Assurance Maladie.")
        steps.append(Step(text, rule))
        return Decimal(care.rate or 0)
    if care.kind == "transport":
        steps.append(
            Step(_("It pays %(rate)s %% of the base (the rate you gave).") % {"rate": care.rate})
        )
        return Decimal(care.rate or 0)
    rule = on[
        {"lab": "rate.lab", "hospital_day": "rate.hospital"}.get(care.kind, "rate.paramedical")
    ]
    steps.append(Step(_("It pays %(rate)s %% of the base.") % {"rate": rule.value}, rule))
    return Decimal(rule.value)


def _base(care: Care, age: int, on: RulesOn, steps: list[Step]) -> tuple[Decimal, Decimal]:
    """The base and the fee of one unit (one consultation, one box, one session…)."""
    if care.kind == "consultation" and care.base is None and care.specialty == "general_practice":
        if care.teleconsultation:
            rule = on["consultation.gp.base_teleconsultation"]
        elif age < on["consultation.gp.under_6_age"].value:
            rule = on["consultation.gp.base_under_6"]
        else:
            rule = on["consultation.gp.base"]
        steps.append(
            Step(
                _("The Assurance Maladie's base for this consultation is %(base)s.")
                % {"base": euros(rule.amount)},
                rule,
            )
        )
        fee = care.fee if care.fee is not None else rule.amount
        return rule.amount, fee
    assert care.fee is not None
    if care.kind == "medicine":
        if care.cip13:
            steps.append(
                Step(
                    _(
                        "Price of one box in the public medicine database, pharmacist's fee "
                        "included: %(price)s."
                    )
                    % {"price": euros(care.fee)},
                    on["medicine.prices"],
                )
            )
        return care.fee, care.fee
    if care.base is not None:
        steps.append(
            Step(
                _("The base you gave (shown on the bill or in ameli's directory): %(base)s.")
                % {"base": euros(care.base)}
            )
        )
        return care.base, care.fee
    steps.append(Step(_("The price charged is the base: %(base)s.") % {"base": euros(care.fee)}))
    return care.fee, care.fee


def _participation(
    care: Care, key: str, gross: Decimal, year: _Year, exempt: Any, on: RulesOn, steps: list[Step]
) -> Decimal:
    amount = on["pf.amount"]
    if exempt:
        steps.append(
            Step(_("No participation forfaitaire: %(why)s.") % {"why": exempt[0]}, exempt[1])
        )
        return ZERO
    yearly, daily = on["pf.yearly_cap"], on["pf.daily_cap_per_professional"]
    left_year = max(ZERO, yearly.amount - year.pf)
    left_today = max(ZERO, daily.amount - year.pf_today.get(key, ZERO))
    charged = min(amount.amount, left_year, left_today, gross)
    if charged == ZERO and left_year == ZERO:
        steps.append(
            Step(
                _("No participation forfaitaire: you have reached the %(cap)s yearly cap.")
                % {"cap": euros(yearly.amount)},
                yearly,
            )
        )
        return ZERO
    if charged == ZERO and left_today == ZERO:
        steps.append(
            Step(
                _(
                    "No participation forfaitaire: the %(cap)s daily cap for one professional is reached."
                )
                % {"cap": euros(daily.amount)},
                daily,
            )
        )
        return ZERO
    year.pf += charged
    year.pf_today[key] = year.pf_today.get(key, ZERO) + charged
    if charged < amount.amount:
        cap = yearly if charged == left_year else daily if charged == left_today else amount
        steps.append(
            Step(
                _(
                    "It keeps %(amount)s of participation forfaitaire (less than %(full)s: "
                    "the cap is reached)."
                )
                % {"amount": euros(charged), "full": euros(amount.amount)},
                cap,
            )
        )
    else:
        steps.append(
            Step(
                _("It keeps %(amount)s of participation forfaitaire, which nobody refunds.")
                % {"amount": euros(charged)},
                amount,
            )
        )
    return charged


def _franchise(
    care: Care, gross: Decimal, year: _Year, exempt: Any, on: RulesOn, steps: list[Step]
) -> Decimal:
    unit_name, cap_name = {
        "medicine": ("franchise.medicine_box", None),
        "nurse": ("franchise.paramedical_act", "franchise.daily_cap_paramedical"),
        "physiotherapy": ("franchise.paramedical_act", "franchise.daily_cap_paramedical"),
        "transport": ("franchise.transport", "franchise.daily_cap_transport"),
    }[care.kind]
    unit = on[unit_name]
    if exempt:
        steps.append(Step(_("No franchise: %(why)s.") % {"why": exempt[0]}, exempt[1]))
        return ZERO
    due = unit.amount * care.quantity
    yearly = on["franchise.yearly_cap"]
    left_year = max(ZERO, yearly.amount - year.franchises)
    limits = [(left_year, yearly)]
    if cap_name:
        daily = on[cap_name]
        left_today = max(ZERO, daily.amount - year.franchise_today.get(cap_name, ZERO))
        limits.append((left_today, daily))
    charged = min([due, gross] + [left for left, _rule in limits])
    limiting = next((rule for left, rule in limits if left == charged and left < due), None)
    year.franchises += charged
    if cap_name:
        year.franchise_today[cap_name] = year.franchise_today.get(cap_name, ZERO) + charged
    if limiting is not None:
        steps.append(
            Step(
                _("It keeps %(amount)s of franchise (instead of %(full)s: the cap is reached).")
                % {"amount": euros(charged), "full": euros(due)},
                limiting,
            )
        )
    else:
        steps.append(
            Step(
                _("It keeps %(amount)s of franchise (%(unit)s each), which nobody refunds.")
                % {"amount": euros(charged), "unit": euros(unit.amount)},
                unit,
            )
        )
    return charged


def _line(index: int, care: Care, sim: Simulation, on: RulesOn, year: _Year) -> Line:
    person = sim.person
    age = _age(person.birth_date, sim.day)
    steps: list[Step] = []
    base_unit, fee_unit = _base(care, age, on, steps)
    fee, base = fee_unit * care.quantity, base_unit * care.quantity
    if care.quantity > 1:
        steps.append(
            Step(
                _("For %(n)s: price %(fee)s, base %(base)s.")
                % {"n": care.quantity, "fee": euros(fee), "base": euros(base)}
            )
        )
    rate = _rate(care, person, age, on, steps)
    gross = _pct(base, rate)
    steps.append(
        Step(_("That is %(amount)s from the Assurance Maladie.") % {"amount": euros(gross)})
    )
    exempt = _exemption(person, age, on)
    pf = franchise = ZERO
    if care.kind in ("consultation", "lab"):
        key = care.professional or f"line {index}"
        pf = _participation(care, key, gross, year, exempt, on, steps)
    elif care.kind in ("medicine", "nurse", "physiotherapy", "transport"):
        franchise = _franchise(care, gross, year, exempt, on, steps)
    else:
        steps.append(
            Step(
                _(
                    "The hospital's daily fee (forfait journalier) is not counted: Carnet has "
                    "no verified amount for it yet."
                )
            )
        )
    amo = gross - pf - franchise
    if pf or franchise:
        steps.append(Step(_("The Assurance Maladie pays you %(amount)s.") % {"amount": euros(amo)}))
    if fee > base:
        steps.append(
            Step(
                _(
                    "%(excess)s is charged above the base (excess fees): the Assurance Maladie "
                    "never pays it."
                )
                % {"excess": euros(fee - base)},
                on["complementary.never_pays"],
            )
        )
    level = person.complementary
    rule = on["complementary.never_pays"]
    if not level:
        complementary = ZERO
        steps.append(Step(_("You have no complementary health insurance: it pays nothing.")))
    else:
        complementary = min(max(ZERO, _pct(base, level) - gross), max(ZERO, fee - gross))
        steps.append(
            Step(
                _(
                    "Your complementary covers up to %(level)s %% of the base, with the "
                    "Assurance Maladie's share: it pays %(amount)s."
                )
                % {"level": level, "amount": euros(complementary)},
                rule,
            )
        )
    patient = fee - amo - complementary
    steps.append(Step(_("Left for you to pay: %(amount)s.") % {"amount": euros(patient)}))
    return Line(
        label=_label(care),
        fee=fee,
        base=base,
        amo_pays=amo,
        complementary_pays=complementary,
        patient_pays=patient,
        participation_forfaitaire=pf,
        franchise=franchise,
        steps=[Step(_("Price: %(fee)s.") % {"fee": euros(fee)}), *steps],
    )


def simulate(sim: Simulation) -> Result:
    on = rulebook.rules_on(sim.day)
    year = _Year(sim.person, on)
    lines = [_line(i, care, sim, on, year) for i, care in enumerate(sim.care)]
    return Result(
        day=sim.day,
        lines=lines,
        pf_year=year.pf,
        pf_cap=on["pf.yearly_cap"].amount,
        franchises_year=year.franchises,
        franchise_cap=on["franchise.yearly_cap"].amount,
    )


def run(data: Any) -> Result:
    """Parse and simulate; ``InvalidInput`` if anything is wrong (then nothing is computed)."""
    return simulate(parse(data))


def as_json(result: Result) -> dict:
    def money(x: Decimal) -> str:
        return f"{x:.2f}"

    return {
        "date": result.day.isoformat(),
        "care": [
            {
                "label": line.label,
                "fee": money(line.fee),
                "base": money(line.base),
                "amo_pays": money(line.amo_pays),
                "complementary_pays": money(line.complementary_pays),
                "patient_pays": money(line.patient_pays),
                "participation_forfaitaire": money(line.participation_forfaitaire),
                "franchise": money(line.franchise),
                "steps": [s.as_json() for s in line.steps],
            }
            for line in result.lines
        ],
        "totals": {
            name: money(result.total(name))
            for name in ("fee", "amo_pays", "complementary_pays", "patient_pays")
        },
        "this_year": {
            "participation_forfaitaire": {
                "paid": money(result.pf_year),
                "cap": money(result.pf_cap),
            },
            "franchises": {
                "paid": money(result.franchises_year),
                "cap": money(result.franchise_cap),
            },
        },
    }
