from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from .models import Role


class AccountAdapter(DefaultAccountAdapter):
    """People who sign up themselves are citizens, and get their record space at once.

    Health professionals, advisors and researchers are created by the operator (their
    identity and RPPS number are checked outside the product).
    """

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user.role = Role.CITIZEN
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import ensure_own_patient

            ensure_own_patient(user)
        return user
