from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    """The FHIR API has no models: the records it serves live in ``carnet.records``."""

    name = "carnet.fhir_api"
    label = "fhir_api"
