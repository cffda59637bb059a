from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "carnet.care"
    label = "care"
    verbose_name = "Care"
