from allauth.account.forms import ConfirmLoginCodeForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from carnet.care import directory

from .models import User


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language of the pages"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["display_name", "language", "easy_read"]
        labels = {
            "display_name": _("Your name"),
            "easy_read": _("Easy to read: the main pages in simple words, with pictures"),
        }
        help_texts = {
            "display_name": _("How Carnet greets you. Leave it empty if you prefer."),
            "easy_read": _(
                "You can also turn it on or off with the button at the top of every page."
            ),
        }
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_display_name(self):
        """A health professional keeps the name the national directory lists (titles,
        accents and case aside): it is how people find and trust them when sharing."""
        name = self.cleaned_data["display_name"]
        user = self.instance
        if user.is_practitioner and name != user.display_name:
            try:
                directory.check_practitioner(user.rpps, name or "-", "")
            except directory.NotInDirectory:
                raise forms.ValidationError(
                    _(
                        "A health professional's name is the one the national directory "
                        "lists for their RPPS number; you may add or remove a title such as "
                        "“Dr”."
                    )
                ) from None
        return name


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the key"),
        max_length=100,
        help_text=_("A name that reminds you where you use it, for example “my tablet app”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CloseAccountForm(forms.Form):
    """Asks for a typed word, so an account is never closed by mistake.

    Who is asking was checked just before (``reauth.confirm_identity``): password, or the
    second factor of a person who has one.
    """

    confirm = forms.CharField(
        label=_("Type the word CLOSE to confirm"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_confirm(self):
        word = self.cleaned_data["confirm"].strip().casefold()
        # The word is translated; accept it in any language we offer, any case.
        accepted = {str(_("CLOSE")).casefold(), "close", "fermer"}
        if word not in accepted:
            raise forms.ValidationError(
                _(
                    "Type the word CLOSE exactly as shown, or go back if you want to keep your account."
                )
            )
        return word


class LinkedLoginCodeForm(ConfirmLoginCodeForm):
    """allauth's sign-in code form, filled in from the link of the email (``?code=``).

    The emailed link opens this page with the code already typed: one click signs in, in
    the browser that asked for it. The code stays single use, short-lived and limited to
    a few tries (allauth's login by code); the page never signs in on a GET.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = context.request
        if not self.is_bound and request is not None and request.method == "GET":
            code = request.GET.get("code", "").strip()[:32]
            if code:
                self.initial["code"] = code
