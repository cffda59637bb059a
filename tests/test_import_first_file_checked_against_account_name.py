"""A first file is checked against the account holder's own name.

Marie Dupont opened her account (her name is on it) and her record is still empty. She
imported a vaccination history about « DOMINIQUE PAT-TROIS »: the record took that name
without a word. The record had no Patient details to compare with, but the account's name
is known: Carnet now asks the same question as for any other mismatch, and writes nothing
until she answers. A file about her (or an account without a name) goes in as before.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import identity, importers, imports, services
from carnet.records.models import ResourceVersion

from .cli import carnet, fresh_install
from .helpers import DATA, synthea
from .people import citizen

VAC = DATA / "cda" / "fr" / "VAC_2023.01.xml"
KEITHA = synthea("Keitha")


def _import(user, path, **kw):
    return importers.import_file(
        Actor.of_user(user), accounts.patient_of(user).pk, path.read_bytes(), path.name, **kw
    )


def _me(user) -> list[dict]:
    return services.search(
        Actor.of_user(user), accounts.patient_of(user).pk, "Patient", Purpose.SELF
    ).resources


@pytest.mark.no_db
@pytest.mark.parametrize(
    "account, differs",
    [
        ("Marie Dupont", True),  # given « Marie » is shared, not the family name
        ("Dominique Pat-Trois", False),
        ("DOMINIQUE", False),  # an account with a first name only
        ("Jean", True),
        ("", False),  # no name on the account: nothing to compare
    ],
)
def test_account_name_against_the_files_person(account, differs):
    file = identity.person_of(
        {
            "resourceType": "Patient",
            "name": [{"family": "PAT-TROIS", "given": ["DOMINIQUE MARIE-LOUISE"]}],
        }
    )
    assert identity.account_differs(account, file) is differs


def test_an_empty_record_asks_before_taking_a_cda_persons_name():
    marie = citizen("Marie Dupont", email="marie@example.org", language="fr")
    with pytest.raises(imports.ImportRefused) as refused:
        _import(marie, VAC)
    assert refused.value.reason == "other_person"
    assert refused.value.mismatch.record == {"name": "Marie Dupont", "birth_date": ""}
    assert "PAT-TROIS" in refused.value.mismatch.file["name"]
    assert refused.value.mismatch.fields == ["name"]
    assert not ResourceVersion.objects.filter(patient_id=accounts.patient_of(marie).pk).exists()


def test_it_is_me_keeps_the_accounts_name():
    marie = citizen("Marie Dupont", email="marie@example.org", language="fr")
    result = _import(marie, VAC, person=imports.MINE)
    assert result.by_type["Immunization"] >= 1
    (me,) = _me(marie)
    assert me["name"][0]["text"] == "Marie Dupont"
    assert "PAT-TROIS" not in str(me)


def test_taking_the_files_details_is_a_choice():
    marie = citizen("Marie Dupont", email="marie@example.org", language="fr")
    _import(marie, VAC, person=imports.MINE_TAKE_DETAILS)
    (me,) = _me(marie)
    assert me["name"][0]["family"] == "PAT-TROIS"


def test_a_fhir_bundle_is_checked_the_same_way():
    marie = citizen("Marie Dupont", email="marie@example.org", language="fr")
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_bundle(
            Actor.of_user(marie), KEITHA.read_bytes(), patient_id=accounts.patient_of(marie).pk
        )
    assert refused.value.reason == "other_person"


def test_a_file_about_the_account_holder_goes_in_without_a_question():
    dominique = citizen("Dominique Pat-Trois", email="dominique@example.org", language="fr")
    _import(dominique, VAC)
    (me,) = _me(dominique)
    assert me["name"][0]["family"] == "PAT-TROIS"


# --- Through the web page -----------------------------------------------------------------------


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def _upload(client, path) -> str:
    response = client.post(
        reverse("records:import"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream")},
    )
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize("path", [VAC, KEITHA], ids=["cda", "fhir"])
def test_the_web_import_asks_and_it_is_me_keeps_the_accounts_name(client, immediate, path):
    marie = citizen("Marie Dupont", email="marie@example.org", language="fr")
    client.force_login(marie)
    job = _upload(client, path)
    page = client.get(job).content.decode()
    assert "À qui est ce fichier\u00a0?" in page and "Marie Dupont" in page
    assert not ResourceVersion.objects.filter(patient_id=accounts.patient_of(marie).pk).exists()
    client.post(job + "choix/", {"choice": "mine"})
    assert "Fichier importé" in client.get(job).content.decode()
    (me,) = _me(marie)
    assert me["name"] == [{"text": "Marie Dupont"}]


def test_the_cli_asks_for_as_me_and_then_keeps_the_accounts_name(tmp_path):
    fresh_install(tmp_path)
    carnet(
        tmp_path, "user", "create", "marie@example.org", "--name", "Marie Dupont",
        input="a long enough passphrase\n",
    )  # fmt: skip
    out = carnet(
        tmp_path, "import", str(KEITHA), "--owner", "marie@example.org", "--quiet", check=False
    )
    assert out.returncode != 0 and "Marie Dupont" in out.stderr and "--as-me" in out.stderr
    carnet(tmp_path, "import", str(KEITHA), "--owner", "marie@example.org", "--quiet", "--as-me")
    exported = tmp_path / "out.json"
    carnet(tmp_path, "export", "--patient", "marie@example.org", "-o", str(exported))
    (patient,) = [
        e["resource"]
        for e in json.loads(exported.read_text())["entry"]
        if e["resource"]["resourceType"] == "Patient"
    ]
    assert patient["name"] == [{"text": "Marie Dupont"}]
