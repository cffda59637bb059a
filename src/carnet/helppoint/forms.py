from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from carnet.access.labels import CATEGORIES, Category

from .banner import SCOPE_WORDS

SCOPE_CHOICES = [(k, SCOPE_WORDS[k]) for k in ("import", "reminders", "share", "read")]
NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


class ScopesForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("What the advisor may do, for 30 minutes at most"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["import", "reminders"],
        error_messages={"required": _("Choose at least one thing the advisor may do.")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The person's code (8 digits)"),
        max_length=20,
        widget=forms.TextInput(attrs={**NO_AUTOFILL, "inputmode": "numeric"}),
        error_messages={"required": _("Type the code the person gives you.")},
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("The person's mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={**NO_AUTOFILL, "inputmode": "tel"}),
        error_messages={"required": _("Type the person's mobile number.")},
    )


class ReminderForm(forms.Form):
    title = forms.CharField(
        label=_("What to remember"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Write what to remember.")},
    )
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        error_messages={
            "required": _("Choose the day."),
            "invalid": _("Write the day like 14/03/2027."),
        },
    )
    at = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "autocomplete": "off"}),
        error_messages={
            "required": _("Choose the time."),
            "invalid": _("Write the time like 14:30."),
        },
    )


class ShareForm(forms.Form):
    rpps = forms.CharField(
        label=_("The doctor's RPPS number (11 digits, on a prescription)"),
        max_length=11,
        widget=forms.TextInput(attrs={**NO_AUTOFILL, "inputmode": "numeric"}),
        error_messages={"required": _("Type the doctor's RPPS number.")},
    )
    categories = forms.MultipleChoiceField(
        label=_("What the doctor may see"),
        choices=[(c, Category(c).label) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of item.")},
    )
    duration = forms.ChoiceField(
        label=_("For how long"),
        choices=[
            ("consultation", _("For one consultation (24 hours)")),
            ("month", _("One month")),
            ("year", _("One year")),
        ],
        initial="consultation",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("The file, from the person's USB key or phone"),
        error_messages={"required": _("Choose the file to import.")},
    )


class DeskAccountForm(forms.Form):
    name = forms.CharField(
        label=_("First name and surname"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Write the person's first name and surname.")},
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        error_messages={
            "required": _("Write the date of birth."),
            "invalid": _("Write the date like 05/10/1942."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the letter"),
        choices=lambda: [
            (code, get_language_info(code)["name_local"]) for code, _n in settings.LANGUAGES
        ],
        initial="fr",
    )


class RecoverForm(forms.Form):
    identifier = forms.CharField(
        label=_("The identifier on the person's letter"),
        max_length=254,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
        error_messages={"required": _("Type the identifier written on the letter.")},
    )
    code = forms.CharField(
        label=_("One of the recovery codes on the letter"),
        max_length=20,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
        error_messages={"required": _("Type one of the recovery codes.")},
    )
