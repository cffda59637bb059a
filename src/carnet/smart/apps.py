from django.apps import AppConfig


class SmartConfig(AppConfig):
    name = "carnet.smart"
    label = "smart"
    verbose_name = "Apps the person connects (SMART on FHIR)"

    def ready(self) -> None:
        from . import services

        services.register_hooks()
