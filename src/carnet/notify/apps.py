from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "carnet.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        from . import receivers

        receivers.connect()
