from django.apps import AppConfig


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "carnet.community"

    def ready(self) -> None:
        from carnet.vault import group_keys

        from .models import reseal_all

        group_keys.on_rotation(reseal_all)
