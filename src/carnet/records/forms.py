"""Entry forms a non-specialist can use: plain questions, lists to pick from, clear errors.

Each form cleans what the person typed into plain values; ``entries`` turns them into FHIR
resources. Measurements are checked against plausible ranges so that a typing slip (a
weight of 750 kg, a blood pressure of 12/8 typed in cmHg) is caught before it is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts import phones

from . import data

TODAY_HELP = _("Leave empty if you do not know.")


def _year_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1900,
        help_text=TODAY_HELP,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Type a year with four digits, for example 2015."),
            "min_value": _("Type a year after 1900, for example 2015."),
        },
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _not_future(day):
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future: type the day it happened."))


def _year_not_future(year):
    if year is not None and year > timezone.localdate().year:
        raise forms.ValidationError(_("This year is in the future: type the year it started."))


class EntryForm(forms.Form):
    """Base: a note everyone can add, and field errors that say what to do.

    The same form serves the person and a practitioner writing in a record shared with
    them: ``for_practitioner=True`` swaps the words addressed to the person ("your
    booklet", "your device") for ``PRACTITIONER_WORDS`` (field -> attribute -> text);
    the fields and their checks stay the same.
    """

    required_message = _("This field is needed: fill it in, then save again.")
    PRACTITIONER_WORDS: dict[str, dict[str, object]] = {}

    def __init__(self, *args, for_practitioner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_practitioner = for_practitioner
        for field in self.fields.values():
            field.error_messages.setdefault("required", self.required_message)
            field.error_messages["required"] = self.required_message
        if for_practitioner:
            for name, words in self.PRACTITIONER_WORDS.items():
                if name in self.fields:
                    for attr, text in words.items():
                        setattr(self.fields[name], attr, text)


class ConditionForm(EntryForm):
    name = forms.CharField(
        label=_("Illness, health problem or operation"),
        max_length=200,
        help_text=_("In your own words, for example “asthma” or “appendix removed”."),
    )
    since = _year_field(_("Since which year?"))
    current = forms.TypedChoiceField(
        label=_("Is it still the case today?"),
        choices=[("yes", _("Yes, it is still the case")), ("no", _("No, it is over"))],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_since(self):
        _year_not_future(self.cleaned_data.get("since"))
        return self.cleaned_data.get("since")


RELATIVES = [
    ("MTH", _("mother")),
    ("FTH", _("father")),
    ("SIS", _("sister")),
    ("BRO", _("brother")),
    ("DAU", _("daughter")),
    ("SON", _("son")),
    ("MGRMTH", _("grandmother (mother's side)")),
    ("MGRFTH", _("grandfather (mother's side)")),
    ("PGRMTH", _("grandmother (father's side)")),
    ("PGRFTH", _("grandfather (father's side)")),
    ("AUNT", _("aunt")),
    ("UNCLE", _("uncle")),
    ("COUSN", _("cousin")),
]


class FamilyForm(EntryForm):
    relative = forms.ChoiceField(label=_("Who in your family?"), choices=[("", "—"), *RELATIVES])
    condition = forms.CharField(
        label=_("Which illness?"),
        max_length=200,
        help_text=_("For example “diabetes”, “breast cancer”, “heart attack”."),
    )
    age = forms.IntegerField(
        label=_("At what age did it start? (optional)"),
        required=False,
        min_value=0,
        max_value=120,
        error_messages={"max_value": _("Type an age between 0 and 120.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


OTHER = "other"


class AllergyForm(EntryForm):
    substance = forms.ChoiceField(
        label=_("Allergic to what?"),
        help_text=_(
            "Pick from the list; if it is not there, choose “Something else” and type it below."
        ),
    )
    other = forms.CharField(label=_("Something else: what?"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("What kind of reaction?"),
        choices=[
            ("allergy", _("An allergy (the body reacts: rash, swelling, breathing)")),
            ("intolerance", _("An intolerance (it does not suit me: stomach ache, nausea)")),
        ],
        initial="allergy",
        widget=forms.RadioSelect,
    )
    reaction = forms.CharField(
        label=_("What happened? (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example “hives”, “swollen lips”."),
    )
    serious = forms.BooleanField(
        label=_("The reaction was serious (difficulty breathing, face swelling, fainting)"),
        required=False,
    )
    since = _year_field(_("Since which year?"))

    PRACTITIONER_WORDS = {
        "kind": {
            "choices": [
                ("allergy", _("An allergy")),
                ("intolerance", _("An intolerance")),
            ]
        },
        "reaction": {"label": _("Reaction observed (optional)")},
        "serious": {
            "label": _("Serious reaction (anaphylaxis, angio-oedema, loss of consciousness)")
        },
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substance"].choices = (
            [("", "—")]
            + [(c.code, c.display) for c in data.allergens()]
            + [(OTHER, _("Something else"))]
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("substance") == OTHER and not (cleaned.get("other") or "").strip():
            self.add_error("other", _("Type what you are allergic to, or pick it from the list."))
        _year_not_future(cleaned.get("since"))
        return cleaned

    def concept(self) -> dict:
        code = self.cleaned_data["substance"]
        found = data.find(data.allergens(), code)
        if found is None:
            return {"text": self.cleaned_data["other"].strip()}
        return {"coding": [found.coding()], "text": found.display}


class TreatmentForm(EntryForm):
    query = forms.CharField(
        label=_("Name of the medicine"),
        required=False,
        max_length=100,
        help_text=_(
            "Type the first letters of its name as written on the box, then press “Search”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    medicine = forms.CharField(required=False, max_length=16)
    name = forms.CharField(
        label=_("Not in the list? Type its name"),
        required=False,
        max_length=200,
    )
    dosage = forms.CharField(
        label=_("How do you take it? (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example “1 tablet morning and evening”."),
    )
    since = forms.DateField(
        label=_("Since when? (optional)"),
        required=False,
        widget=DateInput,
        validators=[_not_future],
    )
    reason = forms.CharField(label=_("What for? (optional)"), required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        cis = (cleaned.get("medicine") or "").strip()
        if cis and data.medicine(cis) is None:
            self.add_error(
                None, _("This medicine is not in the list any more: search for it again.")
            )
        elif not cis and not (cleaned.get("name") or "").strip():
            self.add_error(
                "query",
                _(
                    "Search for the medicine and pick it in the list, or type its name in the field below."
                ),
            )
        return cleaned

    def chosen(self) -> data.Medicine | None:
        return data.medicine((self.cleaned_data.get("medicine") or "").strip())


class VaccinationForm(EntryForm):
    vaccine = forms.ChoiceField(
        label=_("Against what?"),
        help_text=_(
            "The list of the French vaccination calendar. Your vaccination booklet says which one."
        ),
    )
    day = forms.DateField(
        label=_("Date of the injection"), widget=DateInput, validators=[_not_future]
    )
    product = forms.CharField(
        label=_("Name of the vaccine (optional)"),
        required=False,
        max_length=200,
        help_text=_("As written on the sticker in your vaccination booklet."),
    )
    lot = forms.CharField(label=_("Batch number (optional)"), required=False, max_length=40)
    dose = forms.IntegerField(
        label=_("Which dose? (optional)"), required=False, min_value=1, max_value=10
    )

    PRACTITIONER_WORDS = {
        "vaccine": {"help_text": _("The list of the French vaccination calendar.")},
        "product": {"help_text": _("As written on the vial or its sticker.")},
        "lot": {"label": _("Batch number"), "help_text": _("As written on the vial's sticker.")},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vaccine"].choices = [("", "—")] + [
            (c.code, c.display[:1].upper() + c.display[1:]) for c in data.vaccines()
        ]

    def concept(self) -> data.Concept:
        return data.find(data.vaccines(), self.cleaned_data["vaccine"])


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    loinc: str
    display: str
    unit: str
    ucum: str
    low: Decimal
    high: Decimal
    example: object
    category: str = "vital-signs"


MEASURES = {
    "poids": Measure(
        "poids",
        _("Weight"),
        "29463-7",
        "Body weight",
        "kg",
        "kg",
        Decimal("0.3"),
        Decimal("400"),
        _("for example 72.5"),
    ),
    "taille": Measure(
        "taille",
        _("Height"),
        "8302-2",
        "Body height",
        "cm",
        "cm",
        Decimal("20"),
        Decimal("260"),
        _("for example 168"),
    ),
    "tension": Measure(
        "tension",
        _("Blood pressure"),
        "85354-9",
        "Blood pressure panel with all children optional",
        "mmHg",
        "mm[Hg]",
        Decimal("50"),
        Decimal("300"),
        _("for example 128 over 82"),
    ),
    "pouls": Measure(
        "pouls",
        _("Heart rate"),
        "8867-4",
        "Heart rate",
        "/min",
        "/min",
        Decimal("20"),
        Decimal("250"),
        _("for example 68"),
    ),
    "glycemie": Measure(
        "glycemie",
        _("Blood sugar"),
        "41653-7",
        "Glucose [Mass/volume] in Capillary blood by Glucometer",
        "g/L",
        "g/L",
        Decimal("0.1"),
        Decimal("10"),
        _("for example 1.05"),
        "laboratory",
    ),
    "temperature": Measure(
        "temperature",
        _("Temperature"),
        "8310-5",
        "Body temperature",
        "°C",
        "Cel",
        Decimal("30"),
        Decimal("45"),
        _("for example 37.2"),
    ),
    "saturation": Measure(
        "saturation",
        _("Oxygen saturation"),
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
        "%",
        "%",
        Decimal("50"),
        Decimal("100"),
        _("for example 97"),
    ),
}
SYSTOLIC_RANGE = (Decimal("50"), Decimal("300"))
DIASTOLIC_RANGE = (Decimal("20"), Decimal("200"))
GLUCOSE_MMOL = (Decimal("0.5"), Decimal("55"))


def _decimal(value: str) -> Decimal | None:
    value = (value or "").strip().replace(",", ".").replace(" ", "")
    if not re.fullmatch(r"\d{1,4}(\.\d{1,3})?", value):
        return None
    return Decimal(value)


class MeasurementForm(EntryForm):
    value = forms.CharField(label=_("Value"), required=False, max_length=10)
    systolic = forms.CharField(
        label=_("Upper number (systolic), in mmHg"), required=False, max_length=10
    )
    diastolic = forms.CharField(
        label=_("Lower number (diastolic), in mmHg"), required=False, max_length=10
    )
    glucose_unit = forms.ChoiceField(
        label=_("Unit shown on your meter"),
        choices=[("g/L", "g/L"), ("mmol/L", "mmol/L")],
        initial="g/L",
        required=False,
        widget=forms.RadioSelect,
    )
    when = forms.DateTimeField(label=_("When was it measured?"), widget=DateTimeInput)

    PRACTITIONER_WORDS = {"glucose_unit": {"label": _("Unit of the meter")}}

    def __init__(self, measure: Measure, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["when"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if measure.key == "tension":
            del self.fields["value"]
        else:
            del self.fields["systolic"], self.fields["diastolic"]
            self.fields["value"].label = _("%(what)s in %(unit)s") % {
                "what": measure.label,
                "unit": measure.unit,
            }
            self.fields["value"].help_text = measure.example
        if measure.key != "glycemie":
            del self.fields["glucose_unit"]
        else:
            self.fields["value"].label = _("Blood sugar")
        for name in ("value", "systolic", "diastolic"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"inputmode": "decimal", "autocomplete": "off"}
                )

    def _in_range(self, name: str, low: Decimal, high: Decimal, unit: str) -> Decimal | None:
        raw = self.cleaned_data.get(name)
        if not raw:
            self.add_error(name, _("Type the number shown by your device, then save again."))
            return None
        value = _decimal(raw)
        if value is None:
            self.add_error(name, _("Type a number only, for example 72 or 72.5, without the unit."))
            return None
        if not low <= value <= high:
            self.add_error(
                name,
                _(
                    "%(value)s %(unit)s is not a plausible value: it should be between %(low)s and %(high)s. Check the number and the unit, then type it again."
                )
                % {"value": raw, "unit": unit, "low": low, "high": high},
            )
            return None
        return value

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(
                _("This moment is in the future: type when it was measured.")
            )
        return when

    def clean(self):
        cleaned = super().clean()
        m = self.measure
        if m.key == "tension":
            sys_v = self._in_range("systolic", *SYSTOLIC_RANGE, "mmHg")
            dia_v = self._in_range("diastolic", *DIASTOLIC_RANGE, "mmHg")
            if sys_v is not None and dia_v is not None and sys_v <= dia_v:
                self.add_error(
                    "diastolic",
                    _(
                        "The lower number must be smaller than the upper one: check that they are not swapped."
                    ),
                )
            cleaned["numbers"] = (sys_v, dia_v)
        elif m.key == "glycemie" and cleaned.get("glucose_unit") == "mmol/L":
            cleaned["numbers"] = (self._in_range("value", *GLUCOSE_MMOL, "mmol/L"),)
        else:
            cleaned["numbers"] = (self._in_range("value", m.low, m.high, m.unit),)
        return cleaned


class ConsultationForm(EntryForm):
    """A practitioner's short note of a consultation, which the person reads in their record."""

    reason = forms.CharField(
        label=_("Reason for the visit"),
        max_length=200,
        help_text=_("A few words, for example “diabetes follow-up” or “knee pain”."),
    )
    text = forms.CharField(
        label=_("Your note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you found and what was decided, in words the person understands: they read it in their record."
        ),
    )
    day = forms.DateField(
        label=_("Date of the consultation"), widget=DateInput, validators=[_not_future]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(self.required_message)
        return text


DIRECTIVE_WHERE = _("Where are they kept?")


class DirectiveForm(EntryForm):
    written = forms.DateField(
        label=_("When did you write them?"),
        required=False,
        widget=DateInput,
        validators=[_not_future],
    )
    where = forms.CharField(
        label=DIRECTIVE_WHERE,
        max_length=300,
        help_text=_(
            "For example “with my GP, Dr Martin” or “in the drawer of my desk, a copy with my daughter”."
        ),
    )
    wishes = forms.CharField(
        label=_("What they say, in a few words (optional)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    trusted_person = forms.CharField(
        label=_("My trusted person (personne de confiance), if I have one"),
        required=False,
        max_length=200,
        help_text=_("Their name and how to reach them."),
    )


CONTACT_RELATIONS = [
    ("SPS", _("husband, wife or partner")),
    ("DAU", _("daughter")),
    ("SON", _("son")),
    ("MTH", _("mother")),
    ("FTH", _("father")),
    ("SIB", _("brother or sister")),
    ("FRND", _("friend")),
    ("NBOR", _("neighbour")),
    ("FAMMEMB", _("other family member")),
]


class ContactForm(EntryForm):
    name = forms.CharField(label=_("First name and last name"), max_length=200)
    relation = forms.ChoiceField(
        label=_("Who is it for you?"), choices=[("", "—"), *CONTACT_RELATIONS]
    )
    phone = forms.CharField(
        label=_("Telephone number"),
        max_length=25,
        help_text=_("For example 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        error_messages={
            "invalid": _("This email address looks wrong: check it, or leave it empty.")
        },
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        phones.normalise(phone)  # BadNumber (a ValidationError) says what is wrong
        return phone  # kept as the person wrote it, as a relative reads it on the card


BLOOD_GROUPS = [
    ("278147001", "O+"),
    ("278148006", "O−"),
    ("278149003", "A+"),
    ("278152006", "A−"),
    ("278150003", "B+"),
    ("278153001", "B−"),
    ("278151004", "AB+"),
    ("278154007", "AB−"),
]
BLOOD_GROUP_DISPLAY = {
    "278147001": "Blood group O Rh(D) positive",
    "278148006": "Blood group O Rh(D) negative",
    "278149003": "Blood group A Rh(D) positive",
    "278152006": "Blood group A Rh(D) negative",
    "278150003": "Blood group B Rh(D) positive",
    "278153001": "Blood group B Rh(D) negative",
    "278151004": "Blood group AB Rh(D) positive",
    "278154007": "Blood group AB Rh(D) negative",
}


class BloodGroupForm(EntryForm):
    group = forms.ChoiceField(
        label=_("My blood group"),
        choices=BLOOD_GROUPS,
        widget=forms.RadioSelect,
        help_text=_(
            "As written on your blood group card. If you do not know it, do not fill this in."
        ),
    )


def as_datetime(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(12, 0), tzinfo=timezone.get_current_timezone())
