"""Importing a French ePrescription: every prescribed line is kept, nothing silently dropped.

The CI-SIS example eP-MED-DM prescribes two medicines and a medical bed (an EMDN code with
its LPP code, the French list of reimbursable devices). The medicines become
MedicationRequests and the bed a DeviceRequest keeping both codes with their OIDs; what
Carnet does not turn into items (a comment section of text) is listed on the import result
(web page and CLI output) and stays readable in the original document, which is kept.
Expected content is read from the XML here, independently of the importer.
"""

from __future__ import annotations

import pytest
from defusedxml import ElementTree as ET
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services

from .cli import carnet, fresh_install
from .helpers import DATA, citizen

PRESCRIPTION = DATA / "cda" / "fr" / "eP-MED-DM_2024.01_PosoStruct.xml"
OBP = DATA / "cda" / "fr" / "OBP-SNM_2024.01.xml"
N = "{urn:hl7-org:v3}"
LPP = "urn:oid:1.2.250.1.215.200.2.1"
EMDN = "urn:oid:1.2.250.1.213.2.68"


def _devices_in_the_document() -> list[dict]:
    root = ET.parse(PRESCRIPTION).getroot()
    out = []
    for supply in root.iter(f"{N}supply"):
        device = supply.find(f"{N}participant/{N}participantRole/{N}playingDevice/{N}code")
        if device is None:
            continue
        codes = {(device.get("codeSystem"), device.get("code"))}
        codes |= {(t.get("codeSystem"), t.get("code")) for t in device.findall(f"{N}translation")}
        period = supply.find(f"{N}effectiveTime")
        out.append(
            {
                "codes": {(f"urn:oid:{s}", c) for s, c in codes},
                "start": period.find(f"{N}low").get("value"),
                "end": period.find(f"{N}high").get("value"),
            }
        )
    return out


def _import(user, path):
    return importers.import_file(
        Actor.of_user(user),
        accounts.patient_of(user).pk,
        path.read_bytes(),
        path.name,
        Purpose.SELF,
    )


def _all(user, rtype):
    pid = accounts.patient_of(user).pk
    return services.search(Actor.of_user(user), pid, rtype, Purpose.SELF).resources


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_the_two_medicines_and_the_medical_bed_are_kept():
    alice = citizen()
    expected = _devices_in_the_document()
    assert len(expected) == 1 and (LPP, "1215702") in expected[0]["codes"]
    result = _import(alice, PRESCRIPTION)
    assert result.by_type["MedicationRequest"] == 2
    assert result.by_type["DeviceRequest"] == 1
    [bed] = _all(alice, "DeviceRequest")
    codes = {(c["system"], c["code"]) for c in bed["codeCodeableConcept"]["coding"]}
    assert codes == expected[0]["codes"] and {LPP, EMDN} == {s for s, _c in codes}
    assert bed["intent"] == "order" and bed["subject"]["reference"].startswith("Patient/")
    assert bed["requester"]["reference"].startswith("Practitioner/")
    start, end = expected[0]["start"], expected[0]["end"]
    assert bed["occurrencePeriod"] == {
        "start": f"{start[:4]}-{start[4:6]}-{start[6:8]}",
        "end": f"{end[:4]}-{end[4:6]}-{end[6:8]}",
    }
    rental = next(p for p in bed["parameter"] if p["code"]["text"] == "rental duration")
    assert rental["valueQuantity"]["value"] == 60 and rental["valueQuantity"]["code"] == "d"
    # The comment section has text only: listed, and readable in the kept original.
    assert result.left_out == [{"section": "Commentaire", "what": "text", "count": 1}]
    assert result.document_id


def test_what_is_not_sorted_is_listed_not_dropped():
    alice = citizen()
    result = _import(alice, OBP)
    listed = {(p["section"], p["what"]): p["count"] for p in result.left_out}
    assert listed[("Demandes d'examens", "entry")] == 3
    assert "3 × observation in section 18776-5" in result.notes[0]


def test_the_web_result_lists_what_stays_in_the_original(client, immediate):
    alice = citizen()
    client.force_login(alice)
    response = client.post(
        reverse("records:import"),
        {"file": SimpleUploadedFile(OBP.name, OBP.read_bytes(), "text/xml")},
    )
    page = client.get(response["Location"]).content.decode()
    assert "Fichier importé" in page
    assert "Lisible seulement dans le document d’origine" in page
    assert "«\u00a0Demandes d&#x27;examens\u00a0»\u00a0: 3 éléments que Carnet" in page
    assert "Ouvrir le document d’origine" in page


@pytest.mark.no_db
def test_the_cli_lists_the_bed_and_what_stays_in_the_original(tmp_path):
    fresh_install(tmp_path)
    carnet(tmp_path, "user", "create", "al@example.org", input="a long enough passphrase\n")
    out = carnet(tmp_path, "import", str(PRESCRIPTION), "--owner", "al@example.org", "--quiet")
    assert "resources imported into record" in out.stdout
    assert "left in the original document only: section 'Commentaire', its text" in out.stdout


def test_the_bed_has_its_own_page(client):
    alice = citizen()
    _import(alice, PRESCRIPTION)
    [bed] = _all(alice, "DeviceRequest")
    client.force_login(alice)
    page = client.get(reverse("records:item", args=[bed["id"]])).content.decode()
    assert "Dispositif médical prescrit" in page and "Lits médicaux" in page  # sentence case
