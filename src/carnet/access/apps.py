from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "carnet.access"
    label = "access"
