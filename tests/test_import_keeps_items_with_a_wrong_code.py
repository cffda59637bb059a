"""Importing a real bundle with one mistyped code: the file goes in, the item says so.

A Synthea bundle whose Procedure carries the LOINC code ``34552-0`` under the SNOMED CT
system (its check digit fails) used to be refused whole. The code problem is now a
warning kept on the item: in the import result, on the web result page and on the item's
page. A structure error still refuses the file, naming the entry (test_import_invalid_files).
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import fhir, imports, services, store, validation
from carnet.records.models import ResourceVersion

from .cli import carnet, fresh_install
from .helpers import citizen, load, synthea

SNOMED = "http://snomed.info/sct"
TYPO = "34552-0"  # a LOINC code, given under the SNOMED CT system


def _bundle_with_a_typo() -> tuple[bytes, int]:
    """Alejandro's real bundle with one Procedure's code replaced; (file, entry number)."""
    bundle = load(synthea("Alejandro"))
    n, entry = next(
        (n, e)
        for n, e in enumerate(bundle["entry"], start=1)
        if e["resource"]["resourceType"] == "Procedure"
    )
    coding = entry["resource"]["code"]["coding"][0]
    assert coding["system"] == SNOMED
    coding["code"] = TYPO
    return json.dumps(bundle).encode(), n


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_the_typo_alone_is_what_the_validator_objects_to():
    data, n = _bundle_with_a_typo()
    procedure = json.loads(data)["entry"][n - 1]["resource"]
    with pytest.raises(fhir.InvalidResource, match="SNOMED"):
        fhir.validate(procedure)  # on its own, the code is still an error…
    problems: list = []
    fhir.validate(procedure, code_problems=problems)  # …that an import collects instead
    assert [(p.system, p.code) for p in problems] == [(SNOMED, TYPO)]
    assert problems[0].path == "Procedure.code.coding[0].code"
    with pytest.raises(validation.StructuralError):
        validation.check({**procedure, "status": ""}, code_problems=[])  # structure: an error


def test_the_whole_record_is_imported_and_the_item_keeps_a_warning():
    alice = citizen()
    data, n = _bundle_with_a_typo()
    entries = json.loads(data)["entry"]
    result = imports.import_bundle(
        Actor.of_user(alice),
        data,
        patient_id=accounts.patient_of(alice).pk,
        filename="alejandro.json",
        purpose=Purpose.SELF,
    )
    assert result.created + result.shared_created + result.shared_reused == len(entries)
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert (warning["entry"], warning["type"], warning["code"]) == (n, "Procedure", TYPO)
    # The item is kept as the file wrote it, and its provenance carries the warning.
    pid = accounts.patient_of(alice).pk
    row = ResourceVersion.objects.get(patient_id=pid, fhir_id=warning["id"])
    permit = services.access.require(Actor.of_user(alice), pid, "read", Purpose.SELF)
    stored = store.open_rows(permit, [row])[0]
    assert stored["code"]["coding"][0]["code"] == TYPO
    assert store.open_provenance(permit, row)["warnings"][0]["code"] == TYPO
    # Items without a problem carry no warning.
    other = ResourceVersion.objects.filter(patient_id=pid, resource_type="Condition").first()
    assert "warnings" not in store.open_provenance(permit, other)


def test_the_web_result_and_the_item_page_say_it_in_plain_words(client, immediate):
    alice = citizen()
    client.force_login(alice)
    data, _n = _bundle_with_a_typo()
    response = client.post(
        reverse("records:import"),
        {"file": SimpleUploadedFile("alejandro.json", data, "application/json")},
    )
    page = client.get(response["Location"]).content.decode()
    assert "Fichier importé" in page
    assert "1 élément a été gardé avec un avertissement" in page
    assert f"Le code «\u00a0{TYPO}\u00a0» donné par le fichier" in page
    link = reverse("records:item", args=["X"]).replace("X/", "")
    assert link in page  # the warning links to the item
    start = page.index(link) + len(link)
    item_id = page[start : page.index("/", start)]
    item = client.get(reverse("records:item", args=[item_id])).content.decode()
    assert "Avertissement de l’import" in item
    assert TYPO in item and "SNOMED CT" in item


@pytest.mark.no_db
def test_the_cli_imports_the_file_and_prints_the_warning(tmp_path):
    data, n = _bundle_with_a_typo()
    path = tmp_path / "alejandro.json"
    path.write_bytes(data)
    fresh_install(tmp_path)
    carnet(tmp_path, "user", "create", "al@example.org", input="a long enough passphrase\n")
    out = carnet(tmp_path, "import", str(path), "--owner", "al@example.org", "--quiet")
    assert "resources imported into record" in out.stdout
    assert f"warning: entry {n} (Procedure/" in out.stdout and TYPO in out.stdout


def test_the_api_accepts_the_bundle_and_names_the_warning_on_the_entry(client):
    alice = citizen()
    _t, raw = accounts.create_token(alice)
    data, n = _bundle_with_a_typo()
    r = client.post(
        "/fhir/R4",
        data=data,
        content_type="application/fhir+json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 200, r.content[:300]
    entries = r.json()["entry"]
    warned = [i + 1 for i, e in enumerate(entries) if "outcome" in e["response"]]
    assert warned == [n]
    issue = entries[n - 1]["response"]["outcome"]["issue"][0]
    assert issue["severity"] == "warning" and issue["code"] == "code-invalid"
    assert issue["expression"] == ["Procedure.code.coding[0].code"] and TYPO in issue["diagnostics"]
