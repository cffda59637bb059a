"""Importing C-CDA R2.1 documents (HL7 examples): each one imports, the CCD's lists appear.

Expected content is read from the XML here (entry templates), not from the importer.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from defusedxml import ElementTree as ET

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import documents, importers, services

from .helpers import DATA, operator_permit

CCDA = DATA / "cda" / "hl7-ccda" / "Documents"
SAMPLES = sorted(p for p in CCDA.rglob("*") if p.suffix.lower() == ".xml")
CCD = CCDA / "CCD" / "CCD 1" / "CCD.XML"
N = "{urn:hl7-org:v3}"
ALLERGY_OBS = "2.16.840.1.113883.10.20.22.4.7"
PROBLEM_OBS = "2.16.840.1.113883.10.20.22.4.4"
MEDICATION = "2.16.840.1.113883.10.20.22.4.16"
IMMUNIZATION = "2.16.840.1.113883.10.20.22.4.52"
RESULT_OBS = "2.16.840.1.113883.10.20.22.4.2"
VITAL_OBS = "2.16.840.1.113883.10.20.22.4.27"


def _import(user, path):
    return importers.import_file(
        Actor.of_user(user),
        accounts.patient_of(user).pk,
        path.read_bytes(),
        path.name,
        Purpose.SELF,
    )


def _record(user) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for res in services.everything(Actor.of_user(user), accounts.patient_of(user).pk, Purpose.SELF):
        out[res["resourceType"]].append(res)
    return out


def _codes(concept: dict) -> set[str]:
    return {c["code"] for c in concept.get("coding", [])}


def _with_template(root, tag, template):
    return [
        el
        for el in root.iter(f"{N}{tag}")
        if any(t.get("root") == template for t in el.findall(f"{N}templateId"))
    ]


def test_there_are_twelve_samples():
    assert len(SAMPLES) == 12


@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(CCDA)) for p in SAMPLES])
def test_each_sample_imports_with_its_original_and_its_lists(citizen, path):
    assert importers.detect(path.read_bytes()) == "ccda"
    result = _import(citizen, path)
    record = _record(citizen)
    [doc] = record["DocumentReference"]
    blob = doc["content"][0]["attachment"]["url"].removeprefix("Binary/")
    assert documents.get(operator_permit(result.patient_id), blob) == path.read_bytes()
    root = ET.parse(path).getroot()
    # Every coded entry of the kinds Carnet maps is found in the record.
    allergies = [
        o
        for o in _with_template(root, "observation", ALLERGY_OBS)
        if o.get("negationInd") != "true"
    ]
    agents = {
        c.get("code")
        for o in allergies
        for c in o.iterfind(f"{N}participant/{N}participantRole/{N}playingEntity/{N}code")
        if c.get("code")
    }
    got_agents = {c for a in record["AllergyIntolerance"] for c in _codes(a["code"])}
    assert agents <= got_agents
    problems = {
        v.get("code")
        for o in _with_template(root, "observation", PROBLEM_OBS)
        for v in o.findall(f"{N}value")
        if v.get("code")
    }
    got_problems = {c for x in record["Condition"] for c in _codes(x["code"])}
    # Problem observations also appear in sections Carnet leaves in the document (plan of
    # treatment, encounters): those of the problem sections must all be there.
    for section in root.iter(f"{N}section"):
        if section.find(f"{N}code").get("code") in ("11450-4", "11348-0"):
            for o in _with_template(section, "observation", PROBLEM_OBS):
                for v in o.findall(f"{N}value"):
                    if v.get("code"):
                        assert v.get("code") in got_problems
    assert problems or not got_problems
    vaccines = {
        c.get("code")
        for sa in _with_template(root, "substanceAdministration", IMMUNIZATION)
        for c in sa.iterfind(f".//{N}manufacturedMaterial/{N}code")
        if c.get("code")
    }
    got_vaccines = {c for i in record["Immunization"] for c in _codes(i["vaccineCode"])}
    assert vaccines <= got_vaccines


def test_the_ccd_gives_allergies_problems_medications_results_and_vitals(citizen):
    root = ET.parse(CCD).getroot()
    meds = {
        c.get("code")
        for sa in _with_template(root, "substanceAdministration", MEDICATION)
        for c in sa.iterfind(f".//{N}manufacturedMaterial/{N}code")
        if c.get("code")
    }
    vitals = {
        (o.find(f"{N}code").get("code"), float(o.find(f"{N}value").get("value")))
        for o in _with_template(root, "observation", VITAL_OBS)
        if o.find(f"{N}value") is not None and o.find(f"{N}value").get("value")
    }
    results = {
        (o.find(f"{N}code").get("code"), float(o.find(f"{N}value").get("value")))
        for o in _with_template(root, "observation", RESULT_OBS)
        if o.find(f"{N}value") is not None and o.find(f"{N}value").get("value")
    }
    assert meds and vitals and results
    _import(citizen, CCD)
    record = _record(citizen)
    assert record["AllergyIntolerance"] and record["Condition"]
    got_meds = {
        c for m in record["MedicationStatement"] for c in _codes(m["medicationCodeableConcept"])
    }
    assert meds <= got_meds
    rx = next(
        m
        for m in record["MedicationStatement"]
        if any(
            c["system"] == "http://www.nlm.nih.gov/research/umls/rxnorm"
            for c in m["medicationCodeableConcept"]["coding"]
        )
    )
    assert rx["dosage"]
    got = {
        (next(iter(_codes(o["code"]))), o["valueQuantity"]["value"])
        for o in record["Observation"]
        if "valueQuantity" in o
    }
    assert vitals <= got
    assert results <= got
    assert record["DiagnosticReport"][0]["result"]
    for a in record["AllergyIntolerance"]:
        assert a["clinicalStatus"]["coding"][0]["code"] in ("active", "inactive", "resolved")
        assert a.get("reaction", [{}])[0].get("manifestation", [{}])
    npi = [
        i
        for p in record["Practitioner"]
        for i in p.get("identifier", [])
        if i["system"] == "http://hl7.org/fhir/sid/us-npi"
    ]
    assert npi


def test_a_cda_that_is_not_a_clinical_document_is_refused(citizen):
    from carnet.records.imports import ImportRefused

    data = b'<?xml version="1.0"?><Document xmlns="urn:hl7-org:v3"><title>x</title></Document>'
    with pytest.raises(ImportRefused) as refused:
        importers.import_file(
            Actor.of_user(citizen), accounts.patient_of(citizen).pk, data, "x.xml", Purpose.SELF
        )
    assert "cannot be imported" in str(refused.value)
