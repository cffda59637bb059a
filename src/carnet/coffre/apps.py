from django.apps import AppConfig


class CoffreConfig(AppConfig):
    """The Coffre's pages: sharing, requests, access history, emergency access, relatives.

    The rules they show live in ``carnet.access`` (the security core, which has no views).
    """

    name = "carnet.coffre"
    label = "coffre"
