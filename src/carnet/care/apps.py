from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "carnet.care"
    label = "care"
    verbose_name = "Care"

    def ready(self):
        # Register the periodic appointment reminders with the job worker: `carnet serve`
        # starts its consumer without looking for tasks modules.
        from . import tasks  # noqa: F401
