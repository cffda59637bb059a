from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "carnet.research"
    label = "research"
    verbose_name = "Research and epidemic watch"

    def ready(self):
        from . import receivers  # noqa: F401  (erasure empties the analytics copy)
