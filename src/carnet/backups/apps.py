from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "carnet.backups"
    label = "backups"
    verbose_name = "Backups"
