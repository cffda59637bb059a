from django import forms
from django.utils.translation import gettext_lazy as _

from . import services


class JoinForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Your pseudonym in this group"),
        max_length=30,
        help_text=_("3 to 30 letters or digits. Not your name: the other members see only this."),
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Write only what you want to share: nothing from your record is added. "
            "No attachments or photos."
        ),
    )


class ThreadForm(PostForm):
    title = forms.CharField(label=_("Your question, in a few words"), max_length=services.MAX_TITLE)
    field_order = ["title", "body"]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should a moderator look at this message?"), max_length=300
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason, shown to the member"), max_length=services.MAX_REASON)


class EditForm(ReasonForm):
    body = forms.CharField(
        label=_("Message"), max_length=services.MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )
    field_order = ["body", "reason"]


class SuspendForm(ReasonForm):
    days = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        choices=[(1, _("1 day")), (7, _("7 days")), (30, _("30 days"))],
    )
