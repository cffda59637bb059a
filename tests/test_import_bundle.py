"""Importing FHIR bundles: every Synthea bundle round-trips through export and re-import."""

import json

import pytest

from carnet.access.services import Actor, Purpose
from carnet.records import exports, fhir, services
from carnet.records.models import ResourceVersion, SharedResource

from .helpers import (
    SYNTHEA,
    canonical,
    import_as_new_record,
    load,
    original_resources,
    smallest_synthea,
    synthea,
)


def _export(patient_id):
    bundle = exports.export_bundle(Actor.operator(), patient_id, Purpose.OPERATIONS)
    return bundle, [e["resource"] for e in bundle["entry"]]


@pytest.mark.parametrize(
    "path", SYNTHEA, ids=lambda p: p.name.split("_")[0] + "_" + p.name.split("_")[1]
)
def test_it_round_trips_every_synthea_bundle(path):
    source = load(path)
    first = import_as_new_record(path)
    assert first.created + first.shared_created + first.shared_reused == len(source["entry"])

    exported, resources = _export(first.patient_id)
    assert len(resources) == len(source["entry"]), "every entry is kept"
    assert not any("DANGLING" in r for r in canonical(resources)), "no reference left dangling"
    assert canonical(resources) == canonical(original_resources(source))

    second = import_as_new_record(json.loads(json.dumps(exported)))
    _, again = _export(second.patient_id)
    assert canonical(again) == canonical(resources)


def test_it_rewrites_urn_uuid_references_to_stored_resources():
    result = import_as_new_record(smallest_synthea())
    rows = ResourceVersion.objects.filter(patient_id=result.patient_id)
    assert rows.count() == result.created
    _, resources = _export(result.patient_id)
    ids = {f"{r['resourceType']}/{r['id']}" for r in resources}
    refs = [
        node["reference"]
        for r in resources
        for node, _ in fhir.iter_references(r)
        if not node["reference"].startswith("#")
    ]
    assert refs, "the sample has references"
    assert not [r for r in refs if r.startswith("urn:")]
    assert all(r in ids for r in refs)


def test_it_deduplicates_shared_practitioners_and_organisations_by_identifier():
    path = synthea()
    first = import_as_new_record(path)
    count = SharedResource.objects.count()
    second = import_as_new_record(path)
    assert SharedResource.objects.count() == count
    assert second.shared_created == 0
    assert second.shared_reused == first.shared_created + first.shared_reused


def test_it_keeps_provenance_and_versions():
    result = import_as_new_record(smallest_synthea())
    row = ResourceVersion.objects.filter(
        patient_id=result.patient_id, resource_type="Condition"
    ).first()
    assert row.source == "import" and row.version == 1
    from carnet.records import store

    permit = services.access.require(
        Actor.operator(), result.patient_id, "export", Purpose.OPERATIONS
    )
    assert store.open_provenance(permit, row)["file"] == "test.json"
