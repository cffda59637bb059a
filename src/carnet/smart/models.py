"""The catalogue of apps the operator approved (each wraps a django-oauth-toolkit client).

No category, and so no app, can belong to an insurer, a bank, an employer or an
advertiser: the choices leave them out and a database constraint refuses any other value,
as for accounts (``accounts.models.Role``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    DIARY = "diary", _("health diary")
    PREGNANCY = "pregnancy", _("pregnancy and babies")
    CHRONIC = "chronic", _("living with a long-term illness")
    FITNESS = "fitness", _("activity and well-being")
    CARE = "care", _("a hospital's or a practice's portal")
    OTHER = "other", _("other health app")


CATEGORIES = tuple(c.value for c in Category)
# Asked for by name, refused with a sentence (never a constraint error).
REFUSED_CATEGORIES = ("insurer", "insurance", "bank", "employer", "advertiser", "marketing")


class App(models.Model):
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="catalogue"
    )
    name = models.CharField(max_length=100, unique=True)
    publisher = models.CharField(max_length=150)
    purpose = models.TextField(blank=True)
    privacy_url = models.URLField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    scopes = models.TextField()  # the SMART scopes the app may ask, space-separated
    approved = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=CATEGORIES), name="smart_app_category"
            )
        ]

    def __str__(self) -> str:
        return self.name
