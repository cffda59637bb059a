from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "carnet.records"
    label = "records"

    def ready(self):
        # Lazy for Django: services imports models, which must wait for the app registry.
        from carnet.access import masks

        from . import services

        # access.masks asks the store whose record an item is in (access never imports records).
        masks.register_item_owner(services.owner_patient_of)
