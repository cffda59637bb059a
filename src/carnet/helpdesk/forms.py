"""The help centre's forms: search, a question to an advisor, a message in a thread."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import search, services


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the help centre"),
        max_length=search.MAX_QUERY,
        help_text=_("A few words, for example: share with my doctor."),
        error_messages={"required": _("Type a few words to search, for example: password.")},
    )


class AskForm(forms.Form):
    subject = forms.CharField(
        label=_("Your question in a few words"),
        max_length=services.MAX_SUBJECT,
        error_messages={
            "required": _("Give your question a short title, for example: I cannot sign in.")
        },
    )
    text = forms.CharField(
        label=_("Your question"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Advisors help you use Carnet; they cannot see your record and do not give medical "
            "advice. Do not write medical details they do not need."
        ),
        error_messages={"required": _("Write your question, then send it.")},
    )
    about = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your message, then send it.")},
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Explain how to do it in Carnet, in plain words. No medical advice: for a health "
            "question, point to a health professional; in an emergency, to 15 or 112."
        ),
        error_messages={"required": _("Write your answer, then send it.")},
    )
