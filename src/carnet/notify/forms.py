"""The forms of the notifications page: what the person chooses, their mobile, the code."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Frequency

LANGUAGE_CHOICES = settings.LANGUAGES
FREQUENCY_CHOICES = [
    (Frequency.IMMEDIATE, _("Each message when it happens")),
    (Frequency.DAILY, _("One daily digest, at the hour chosen below")),
]
HOUR_CHOICES = [(h, f"{h:02d}:00") for h in range(24)]


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self):
        super().__init__(format="%H:%M")


class PreferencesForm(forms.Form):
    email = forms.BooleanField(label=_("By email"), required=False)
    sms = forms.BooleanField(label=_("By SMS"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )
    quiet_start = forms.TimeField(
        label=_("Quiet from"), required=False, widget=_TimeInput(), input_formats=["%H:%M"]
    )
    quiet_end = forms.TimeField(
        label=_("Until"), required=False, widget=_TimeInput(), input_formats=["%H:%M"]
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=FREQUENCY_CHOICES, widget=forms.RadioSelect
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Hour of the daily digest"), choices=HOUR_CHOICES, coerce=int
    )

    def __init__(self, *args, has_phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_phone = has_phone
        for name in ("email", "sms"):  # the template writes what each channel goes to
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"
        if not has_phone:
            # Shown, so the person sees SMS exists, but not usable before the number is proved.
            self.fields["sms"].disabled = True
            self.fields["sms"].help_text = _(
                "Add your mobile number below first: we send a code to check it is yours."
            )
        self.fields["quiet_start"].error_messages["invalid"] = _(
            "Enter a time such as 22:00, or leave it empty."
        )
        self.fields["quiet_end"].error_messages["invalid"] = _(
            "Enter a time such as 07:00, or leave it empty."
        )
        self.fields["language"].error_messages["required"] = _("Choose French or English.")
        self.fields["frequency"].error_messages["required"] = _(
            "Choose each message when it happens, or one daily digest."
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in data and "quiet_end" in data:
            if (start is None) != (end is None):
                self.add_error(
                    "quiet_end" if end is None else "quiet_start",
                    _("Give both the start and the end of your quiet hours, or leave both empty."),
                )
            elif start is not None and start == end:
                self.add_error(
                    "quiet_end",
                    _(
                        "The end is the same as the start: choose another time, or leave both empty."
                    ),
                )
        return data


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=32,
        help_text=_(
            "For example 06 12 34 56 78. We send a code to it by SMS to check it is yours."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Enter your mobile number, for example 06 12 34 56 78.")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        help_text=_("The 6 digits of the SMS we just sent."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        error_messages={"required": _("Type the 6 digits of the SMS we sent you.")},
    )

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(
                _("The code is 6 digits: type them as they are in the SMS.")
            )
        return code
