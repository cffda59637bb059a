"""Importing French CDA documents (CI-SIS) from the national shared record.

Expected content is read from each sample's XML here, independently of the importer.
"""

from __future__ import annotations

import base64
from collections import defaultdict

import pytest
from defusedxml import ElementTree as ET
from django.conf import settings

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import documents, importers, services
from carnet.records.imports import ImportRefused
from carnet.records.models import Blob, ResourceVersion, SharedResource

from .helpers import DATA, operator_permit

FR = DATA / "cda" / "fr"
SAMPLES = sorted(FR.glob("*.xml"))
N = "{urn:hl7-org:v3}"


def _import(user, path_or_bytes, name="document.xml"):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return importers.import_file(
        Actor.of_user(user),
        accounts.patient_of(user).pk,
        data,
        getattr(path_or_bytes, "name", name),
        Purpose.SELF,
    )


def _record(user) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for res in services.everything(Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF):
        out[res["resourceType"]].append(res)
    return out


def _codes(concept: dict) -> set[tuple[str, str]]:
    return {(c.get("system", ""), c["code"]) for c in concept.get("coding", [])}


def _counts():
    return (
        ResourceVersion.objects.count(),
        Blob.objects.count(),
        AuditEntry.objects.count(),
        SharedResource.objects.count(),
    )


def _sections(root, code):
    return [s for s in root.iter(f"{N}section") if s.find(f"{N}code").get("code") == code]


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_each_french_sample_imports_and_keeps_its_original(citizen, path):
    assert importers.detect(path.read_bytes(), "renamed.bin") == "cda-fr"
    result = _import(citizen, path)
    assert result.kind == "cda-fr" and result.created >= 1
    record = _record(citizen)
    [doc] = record["DocumentReference"]
    root = ET.parse(path).getroot()
    assert doc["description"] == root.findtext(f"{N}title").strip()
    assert doc["type"]["coding"][0]["code"] == root.find(f"{N}code").get("code")
    first = doc["content"][0]["attachment"]
    assert first["contentType"] == "text/xml" and first["url"].startswith("Binary/")
    blob_id = first["url"].removeprefix("Binary/")
    assert (
        documents.get(operator_permit(accounts.patient_of(citizen).pk), blob_id)
        == path.read_bytes()
    )
    # Every author who is a person with an RPPS id is one shared practitioner.
    for author in root.iterfind(f"{N}author/{N}assignedAuthor"):
        if author.find(f"{N}assignedPerson") is None:
            continue  # software or a device
        for ident in author.iterfind(f"{N}id"):
            if ident.get("root") != "1.2.250.1.71.4.2.1":
                continue
            values = {
                i["value"]
                for p in record["Practitioner"]
                for i in p.get("identifier", [])
                if i["system"] == "urn:oid:1.2.250.1.71.4.2.1"
            }
            assert ident.get("extension") in values
            assert doc["author"]


def test_vaccinations_of_vac_become_immunizations_with_their_codes(citizen):
    path = FR / "VAC_2023.01.xml"
    root = ET.parse(path).getroot()
    expected = []
    for sa in _sections(root, "11369-6")[0].iter(f"{N}substanceAdministration"):
        code = sa.find(f"{N}consumable/{N}manufacturedProduct/{N}manufacturedMaterial/{N}code")
        codes = {code.get("code")} | {t.get("code") for t in code.findall(f"{N}translation")}
        lot = sa.findtext(
            f"{N}consumable/{N}manufacturedProduct/{N}manufacturedMaterial/{N}lotNumberText"
        )
        expected.append((codes, sa.find(f"{N}effectiveTime").get("value"), lot))
    assert expected
    _import(citizen, path)
    immunizations = _record(citizen)["Immunization"]
    assert len(immunizations) == len(expected)
    for codes, when, lot in expected:
        same = sum(1 for c, w, _lot in expected if c == codes and w[:8] == when[:8])
        match = [
            i
            for i in immunizations
            if {c for _s, c in _codes(i["vaccineCode"])} == codes
            and i["occurrenceDateTime"].replace("-", "").startswith(when[:8])
        ]
        assert len(match) == same, codes  # the sample repeats one administration
        imm = match[0]
        assert imm["status"] == "completed"
        assert imm["occurrenceDateTime"].replace("-", "").startswith(when[:8])
        assert any(s == "http://www.whocc.no/atc" for s, _c in _codes(imm["vaccineCode"]))
        if lot:
            assert lot.strip() in {m.get("lotNumber") for m in match}
        assert imm["performer"][0]["actor"]["reference"].startswith("Practitioner/")


def test_allergies_treatments_and_problems_of_vsm(citizen):
    path = FR / "VSM_1.4_2022.01.xml"
    root = ET.parse(path).getroot()
    agents = {
        pe.get("code")
        for s in _sections(root, "48765-2")
        for pe in s.iterfind(f".//{N}participant/{N}participantRole/{N}playingEntity/{N}code")
    }
    medicines = {
        c.get("code")
        for s in _sections(root, "10160-0")
        for c in s.iterfind(f".//{N}manufacturedMaterial/{N}code")
    }
    problems = {
        v.get("code")
        for code in ("11450-4", "11348-0")
        for s in _sections(root, code)
        for v in s.iterfind(f".//{N}observation/{N}value")
        if v.get("code")
    }
    assert agents and medicines and problems
    _import(citizen, path)
    record = _record(citizen)
    allergy_codes = {c for a in record["AllergyIntolerance"] for _s, c in _codes(a["code"])}
    assert agents <= allergy_codes
    [paracetamol] = record["AllergyIntolerance"]
    assert paracetamol["category"] == ["medication"] and paracetamol["type"] == "allergy"
    # The document says the allergy is inactive ("Intermittent"): kept as it says.
    assert paracetamol["clinicalStatus"]["coding"][0]["code"] == "inactive"
    med_codes = {
        c for m in record["MedicationStatement"] for _s, c in _codes(m["medicationCodeableConcept"])
    }
    assert medicines <= med_codes
    plavix = next(
        m
        for m in record["MedicationStatement"]
        if ("urn:oid:1.2.250.1.213.2.3.1", "63564053") in _codes(m["medicationCodeableConcept"])
    )
    assert plavix["status"] == "active"
    dosage = plavix["dosage"][0]
    assert dosage["timing"]["repeat"]["period"] == 1
    assert dosage["timing"]["repeat"]["periodUnit"] == "d"
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 2
    assert dosage["route"]["coding"][0]["code"] == "20053000"
    condition_codes = {c for cond in record["Condition"] for _s, c in _codes(cond["code"])}
    assert problems <= condition_codes
    by_code = {next(iter(_codes(c["code"])))[1]: c for c in record["Condition"]}
    assert by_code["I20.0"]["clinicalStatus"]["coding"][0]["code"] == "active"
    # The past history section has end dates: those problems are resolved.
    for s in _sections(root, "11348-0"):
        for v in s.iterfind(f".//{N}observation/{N}value"):
            assert by_code[v.get("code")]["clinicalStatus"]["coding"][0]["code"] == "resolved"


def test_structured_prescription_keeps_its_dosage_lines(citizen):
    path = FR / "eP-MED-DM_2024.01_PosoStruct.xml"
    root = ET.parse(path).getroot()
    section = _sections(root, "57828-6")[0]
    expected = {}
    for entry in section.findall(f"{N}entry"):
        sa = entry.find(f"{N}substanceAdministration")
        code = sa.find(f"{N}consumable/{N}manufacturedProduct/{N}manufacturedMaterial/{N}code")
        lines = []
        for er in sa.findall(f"{N}entryRelationship"):
            sub = er.find(f"{N}substanceAdministration")
            if sub is None:
                continue
            period = sub.find(f".//{N}period")
            lines.append(
                (
                    int(er.find(f"{N}sequenceNumber").get("value")),
                    float(period.get("value")),
                    period.get("unit"),
                )
            )
        expected[code.get("code")] = (sorted(lines), int(sa.find(f"{N}repeatNumber").get("value")))
    _import(citizen, path)
    requests = _record(citizen)["MedicationRequest"]
    assert len(requests) == len(expected)
    for req in requests:
        keys = {c for _s, c in _codes(req["medicationCodeableConcept"])} & set(expected)
        if not keys:  # a medicine described in words only (code nullFlavor="NA")
            assert req["medicationCodeableConcept"]["text"]
        lines, repeats = expected[keys.pop() if keys else None]
        assert req["intent"] == "order" and req["requester"]["reference"].startswith(
            "Practitioner/"
        )
        assert req["dispenseRequest"]["numberOfRepeatsAllowed"] == repeats
        got = sorted(
            (
                d.get("sequence", 1),
                d["timing"]["repeat"]["period"],
                d["timing"]["repeat"]["periodUnit"],
            )
            for d in req["dosageInstruction"]
        )
        if lines:
            assert got == lines


def test_lab_results_carry_value_unit_range_and_interpretation(citizen):
    path = FR / "BIO-CR-BIO_2024.01_Glycemie-mole.xml"
    root = ET.parse(path).getroot()
    obs = next(
        o
        for o in root.iter(f"{N}observation")
        if o.find(f"{N}value") is not None and o.find(f"{N}value").get("unit")
    )
    code = obs.find(f"{N}code").get("code")
    value = obs.find(f"{N}value")
    low = obs.find(f".//{N}referenceRange//{N}low")
    _import(citizen, path)
    record = _record(citizen)
    [result] = [
        o for o in record["Observation"] if (("http://loinc.org", code) in _codes(o["code"]))
    ]
    assert result["valueQuantity"]["value"] == float(value.get("value"))
    assert result["valueQuantity"]["unit"] == value.get("unit")
    assert result["referenceRange"][0]["low"]["value"] == float(low.get("value"))
    assert result["interpretation"][0]["coding"][0]["code"] == obs.find(
        f"{N}interpretationCode"
    ).get("code")
    assert result["category"][0]["coding"][0]["code"] == "laboratory"
    [report] = record["DiagnosticReport"]
    assert report["result"] == [{"reference": f"Observation/{result['id']}"}]
    # The PDF copy of the report is kept beside the CDA.
    [doc] = record["DocumentReference"]
    assert [c["attachment"]["contentType"] for c in doc["content"]] == [
        "text/xml",
        "application/pdf",
    ]


def test_rapid_test_result_is_imported(citizen):
    path = FR / "BIO-TROD_2024.01_COVID-19.xml"
    root = ET.parse(path).getroot()
    codes = {
        o.find(f"{N}code").get("code")
        for o in root.iter(f"{N}observation")
        if o.find(f"{N}value") is not None
    }
    _import(citizen, path)
    record = _record(citizen)
    got = {c for o in record["Observation"] for _s, c in _codes(o["code"])}
    assert codes & got
    assert record["DiagnosticReport"]


def test_unstructured_document_keeps_its_pdf(citizen):
    path = FR / "DOC_NON_STRUCTURE_CDA-R2-N1.xml"
    root = ET.parse(path).getroot()
    text = root.find(f"{N}component/{N}nonXMLBody/{N}text")
    pdf = base64.b64decode("".join(text.text.split()))
    result = _import(citizen, path)
    [doc] = _record(citizen)["DocumentReference"]
    attachment = doc["content"][1]["attachment"]
    assert attachment["contentType"] == text.get("mediaType") == "application/pdf"
    blob = documents.get(
        operator_permit(result.patient_id), attachment["url"].removeprefix("Binary/")
    )
    assert blob == pdf and blob.startswith(b"%PDF-")


def test_patient_summary_and_reimbursements_map_their_sections(citizen):
    _import(citizen, FR / "IPS-FR_2024.01.xml")
    record = _record(citizen)
    for rtype in ("Condition", "AllergyIntolerance", "MedicationStatement", "Immunization"):
        assert record[rtype], rtype
    vital = [
        o for o in record["Observation"] if o["category"][0]["coding"][0]["code"] == "vital-signs"
    ]
    assert vital and all("valueQuantity" in o for o in vital)
    other = accounts.create_user("cnam@example.org", "a long enough passphrase", role="citizen")
    _import(other, FR / "CNAM-HR_2021.01.xml")
    cnam = _record(other)
    assert len(cnam["Immunization"]) == 3 and len(cnam["MedicationStatement"]) == 3
    # A reimbursed vaccine has no administration date: said so, not invented.
    assert {i.get("occurrenceString") for i in cnam["Immunization"]} == {"unknown date"}


def test_same_practitioner_is_shared_and_same_file_is_not_imported_twice(citizen):
    _import(citizen, FR / "VAC_2023.01.xml")
    before = _counts()
    again = _import(citizen, FR / "VAC_2023.01.xml")
    assert again.duplicate and again.created == 0
    assert _counts() == before
    second = _import(citizen, FR / "VSM_1.4_2022.01.xml")
    assert second.shared_reused >= 1  # Dr 801234567897 authored both
    rpps = [
        p
        for p in _record(citizen)["Practitioner"]
        if any(i["value"] == "801234567897" for i in p.get("identifier", []))
    ]
    assert len(rpps) == 1


def test_the_record_patient_is_not_overwritten(citizen):
    _import(citizen, FR / "VSM_1.4_2022.01.xml")
    [patient] = _record(citizen)["Patient"]
    _import(citizen, FR / "VAC_2023.01.xml")
    record = _record(citizen)
    assert [p["id"] for p in record["Patient"]] == [patient["id"]]
    for imm in record["Immunization"]:
        assert imm["patient"]["reference"] == f"Patient/{patient['id']}"


# --- Bad input: refused with a clear message, nothing written ---------------------------------


def _refused(user, data: bytes) -> ImportRefused:
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        _import(user, data)
    assert _counts() == before, "a refused file must write nothing"
    assert str(refused.value)
    return refused.value


def test_malformed_xml_is_refused(citizen):
    data = (FR / "VSM_1.4_2022.01.xml").read_bytes()
    exc = _refused(citizen, data[: len(data) // 2])
    assert exc.reason == "unreadable" and "XML" in str(exc) and "line" in str(exc)


def test_billion_laughs_is_refused(citizen):
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><ClinicalDocument xmlns="urn:hl7-org:v3">&lol9;</ClinicalDocument>'
    )
    exc = _refused(citizen, lol)
    assert exc.reason == "unreadable" and "entities" in str(exc)


def test_external_entity_is_refused(citizen, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&x;</title></ClinicalDocument>'
    ).encode()
    exc = _refused(citizen, xxe)
    assert "entities" in str(exc) and "do not read me" not in str(exc)


def test_level_one_body_that_is_not_a_pdf_refuses_the_document(citizen, tmp_path):
    data = (FR / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_text(encoding="utf-8")
    start = data.index('representation="B64">') + len('representation="B64">')
    end = data.index("</text>", start)
    fake = data[:start] + base64.b64encode(b"not a pdf at all").decode() + data[end:]
    exc = _refused(citizen, fake.encode())
    assert "application/pdf" in str(exc)


def test_unknown_format_and_too_big_are_refused(citizen):
    exc = _refused(citizen, b"\x00\x01 this is nothing Carnet knows")
    assert "cannot be imported" in str(exc)
    exc = _refused(citizen, b"<?xml version='1.0'?><html><body>hello</body></html>")
    assert "<html>" in str(exc)
    big = b"<a>" + b" " * (settings.CARNET_MAX_IMPORT_BYTES + 1) + b"</a>"
    exc = _refused(citizen, big)
    assert exc.reason == "too_big" and "MB" in str(exc)


def test_refused_import_removes_the_blobs_it_wrote(citizen, monkeypatch):
    from carnet.records import imports

    def boom(*args, **kwargs):
        raise ImportRefused("entry 3 (Observation): broken", reason="entry", entry=3)

    monkeypatch.setattr(imports, "import_bundle", boom)
    before = _counts()
    files = (
        sorted((documents.settings.BLOB_DIR).rglob("*"))
        if documents.settings.BLOB_DIR.exists()
        else []
    )
    with pytest.raises(ImportRefused):
        _import(citizen, FR / "DOC_NON_STRUCTURE_CDA-R2-N1.xml")
    assert _counts() == before
    after = (
        sorted(documents.settings.BLOB_DIR.rglob("*"))
        if documents.settings.BLOB_DIR.exists()
        else []
    )
    assert [p for p in after if p.is_file()] == [p for p in files if p.is_file()]


def test_someone_without_access_cannot_import_into_a_record(citizen):
    from carnet.access.services import NotFound

    stranger = accounts.create_user("stranger@example.org", "a long enough passphrase")
    before = (ResourceVersion.objects.count(), Blob.objects.count())
    with pytest.raises(NotFound):
        importers.import_file(
            Actor.of_user(stranger),
            accounts.patient_of(citizen).pk,
            (FR / "VAC_2023.01.xml").read_bytes(),
            "VAC.xml",
            Purpose.SELF,
        )
    assert (ResourceVersion.objects.count(), Blob.objects.count()) == before
    denied = AuditEntry.objects.filter(patient_id=accounts.patient_of(citizen).pk).last()
    assert denied.decision == "deny"
