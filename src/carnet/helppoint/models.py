"""Public help points (France Services, a mairie, a CPAM office), their advisors, the
one-time codes a person gives at the desk, and the accounts made there.

A code is kept as an HMAC only (``codes.digest``): the database alone gives none back. The
help session itself (what the advisor may do, until when) is the security core's
(``carnet.access.models.AssistanceSession``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = ("france_services", "mairie", "cpam")
CODE_KINDS = ("app", "sms", "paper")


class HelpPoint(models.Model):
    """A public help point (reference data): where advisors help people in person."""

    class Kind(models.TextChoices):
        FRANCE_SERVICES = "france_services", _("France Services")
        MAIRIE = "mairie", _("Town hall")
        CPAM = "cpam", _("Health insurance office (CPAM)")

    name = models.CharField(max_length=150)  # « France Services de Muret »
    kind = models.CharField(max_length=20, choices=Kind.choices)
    town = models.CharField(max_length=100)
    # The desk's computer is shared: kiosk mode (no cache, sign-out after inactivity, the
    # site cleared at sign-out).
    kiosk = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=KINDS), name="helppoint_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class DeskAdvisor(models.Model):
    """An advisor (role ``advisor``) belongs to one help point."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk"
    )
    help_point = models.ForeignKey(HelpPoint, on_delete=models.PROTECT, related_name="advisors")


class HelpCode(models.Model):
    """A one-time code the person gives at a desk: shown in their app or sent by SMS (10
    minutes, with what they chose), or printed on their paper card (no end date, chosen at
    the desk). Used once; only its HMAC is kept."""

    patient_id = models.BigIntegerField()
    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=5)
    scopes = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=CODE_KINDS), name="helpcode_kind"),
        ]
        indexes = [models.Index(fields=["patient_id", "kind"], name="helpcode_patient")]


class DeskAttempt(models.Model):
    """A code typed at a desk, right or wrong: wrong ones lock the desk for a while."""

    help_point = models.ForeignKey(HelpPoint, on_delete=models.CASCADE)
    advisor_id = models.BigIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["help_point", "at"], name="deskattempt_recent")]


class DeskAccount(models.Model):
    """An account made at a desk for a person with no email or phone: its identifier is not
    an address anyone receives mail at; the first password is changed at first sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_account"
    )
    help_point = models.ForeignKey(HelpPoint, null=True, on_delete=models.SET_NULL)
    created_by_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    must_change_password = models.BooleanField(default=True)
