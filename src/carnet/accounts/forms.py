from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language of the pages"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["display_name", "language"]
        labels = {"display_name": _("Your name")}
        help_texts = {
            "display_name": _("How Carnet greets you. Leave it empty if you prefer."),
        }
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "name"})}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the key"),
        max_length=100,
        help_text=_("A name that reminds you where you use it, for example “my tablet app”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CloseAccountForm(forms.Form):
    """Asks for a typed word and the password, so an account is never closed by mistake."""

    confirm = forms.CharField(
        label=_("Type the word CLOSE to confirm"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

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

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _(
                    "This is not your password. Type it again; if you forgot it, reset it from the sign-in page first."
                )
            )
        return password
