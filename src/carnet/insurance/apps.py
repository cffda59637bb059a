from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "carnet.insurance"
    label = "insurance"
    verbose_name = "Reimbursements"
    default_auto_field = "django.db.models.BigAutoField"
