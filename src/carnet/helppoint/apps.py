from django.apps import AppConfig


class HelppointConfig(AppConfig):
    name = "carnet.helppoint"
    label = "helppoint"
    verbose_name = "Public help points"

    def ready(self) -> None:
        from . import desk_accounts  # noqa: F401 - its signal receivers
