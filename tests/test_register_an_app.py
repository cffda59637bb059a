"""The operator registers an app in the catalogue (``carnet app register``); insurers,
banks, employers and advertisers cannot be registered; people browse it in « Mes
applications »; the SMART configuration tells apps how to connect."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carnet.smart.models import App

from .people import english
from .smart_client import lea

pytestmark = pytest.mark.django_db(databases="__all__")

ARGS = [
    "--publisher",
    "Maternité Libre",
    "--redirect-uri",
    "https://pregnancy.example/callback",
    "--scopes",
    "launch/patient patient/Observation.rs",
]


def test_the_operator_registers_an_app_and_gets_its_client_id():
    out = StringIO()
    call_command("app", "register", "Neuf mois", *ARGS, "--category", "pregnancy", stdout=out)
    app = App.objects.get(name="Neuf mois")
    assert f"client_id: {app.application.client_id}" in out.getvalue()
    assert app.scopes == "launch/patient patient/Observation.rs"


@pytest.mark.parametrize("category", ["insurer", "bank", "employer", "advertiser"])
def test_an_insurer_bank_employer_or_advertiser_cannot_register_an_app(category):
    with pytest.raises(CommandError, match="insurer, a bank, an employer or an advertiser"):
        call_command("app", "register", "Assur", *ARGS, "--category", category)
    assert not App.objects.exists()


def test_an_app_asking_to_write_is_refused():
    args = [*ARGS[:-1], "patient/Observation.cruds"]
    with pytest.raises(CommandError, match="read and search only"):
        call_command("app", "register", "Writer", *args, "--category", "diary")


def test_my_apps_lists_the_catalogue_and_the_smart_configuration_says_s256(client):
    call_command("app", "register", "Neuf mois", *ARGS, "--category", "pregnancy")
    client.force_login(lea())
    page = english(client).get("/applications/")
    assert page.status_code == 200 and b"Neuf mois" in page.content
    conf = client.get("/.well-known/smart-configuration").json()
    assert conf["code_challenge_methods_supported"] == ["S256"]
    assert {"launch-standalone", "permission-v2", "context-standalone-patient"} <= set(
        conf["capabilities"]
    )
    assert conf["token_endpoint"].endswith("/oauth/token/")
