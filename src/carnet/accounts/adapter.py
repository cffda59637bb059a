from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import ngettext

from . import language, throttle
from .addresses import client_ip
from .models import Role
from .services import ensure_own_patient


class AccountAdapter(DefaultAccountAdapter):
    """People who sign up themselves are citizens; their record space is made once they
    have confirmed their address by the emailed link.

    Health professionals, advisors and researchers are created by the operator (a
    practitioner's RPPS number, name and profession are checked against the national
    directory loaded in Carnet: ``carnet.care.directory.check_practitioner``).
    """

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user.role = Role.CITIZEN
        # The language the person signed up in is theirs until they choose another.
        spoken = (translation.get_language() or "").split("-")[0]
        if spoken in language.SUPPORTED:
            user.language = spoken
        return super().save_user(request, user, form, commit=commit)

    @transaction.atomic
    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        user = email_address.user
        if confirmed and user.role == Role.CITIZEN:
            ensure_own_patient(user)
        return confirmed

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # "Confirmation email sent to …" is shown after signing up with a new address but
        # not with a known one: it would tell them apart. The page says it for both.
        if message_template == "account/messages/email_confirmation_sent.txt":
            return
        return super().add_message(request, level, message_template, *args, **kwargs)

    def send_mail(self, template_prefix, email, context):
        from django.conf import settings

        context = {
            **context,
            "carnet_site_url": settings.CARNET_SITE_URL,
            "code_minutes": settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60,
        }
        return super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The link in the confirmation email, at CARNET_SITE_URL (never the Host header)."""
        from urllib.parse import urlsplit

        from django.conf import settings

        url = super().get_email_confirmation_url(request, emailconfirmation)
        return settings.CARNET_SITE_URL + urlsplit(url).path

    # --- Where a request comes from, and slowing down guessers ----------------------------

    def get_client_ip(self, request) -> str:
        return client_ip(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        attempt = throttle.Attempt(request, credentials.get("email", ""))
        if not attempt.allowed:
            raise ValidationError(
                ngettext(
                    "Too many attempts on this address: wait %(seconds)d second and try "
                    "again, or choose “Send me a sign-in code” to get in by email.",
                    "Too many attempts on this address: wait %(seconds)d seconds and try "
                    "again, or choose “Send me a sign-in code” to get in by email.",
                    attempt.wait,
                ),
                code="slow_down",
                params={"seconds": attempt.wait},
            )
        self._carnet_attempt = attempt

    def authenticate(self, request, **credentials):
        self._carnet_attempt = None
        user = super().authenticate(request, **credentials)
        attempt = getattr(self, "_carnet_attempt", None)
        if attempt is not None:
            attempt.failed() if user is None else attempt.succeeded()
        return user
