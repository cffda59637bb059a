from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "carnet.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import language, sessions  # noqa: F401 - sign-in receivers, session check
