from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "carnet.access"
    label = "access"

    def ready(self):
        from .requests import register_sms_answers

        register_sms_answers()
