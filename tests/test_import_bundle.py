"""Importing FHIR bundles: every Synthea bundle round-trips through export and re-import."""

import json

import pytest

from carnet.access.services import Actor, Purpose
from carnet.records import exports, fhir, services
from carnet.records.models import ResourceVersion, SharedResource

from .helpers import SYNTHEA, import_as_new_record, load, smallest_synthea, synthea


def _canonical(resources: list[dict]) -> list[str]:
    """Resources with ids and server metadata dropped and each reference replaced by a
    fingerprint of its target's content (refined over three rounds, so the fingerprint
    also covers what the target refers to).

    Two imports of the same content give equal canonical forms even though every id is
    new, and a reference pointing to the wrong resource makes them differ.
    """
    import hashlib

    def body_of(res):
        body = json.loads(json.dumps(res))
        body.pop("id", None)
        meta = body.get("meta") or {}
        meta.pop("versionId", None)
        meta.pop("lastUpdated", None)
        if not meta:
            body.pop("meta", None)
        return body

    keys = [f"{r['resourceType']}/{r['id']}" for r in resources]
    prints = dict.fromkeys(keys, "")
    rendered = []
    for _round in range(3):
        rendered = []
        for res in resources:
            body = body_of(res)
            for node, _ in fhir.iter_references(body):
                ref = node["reference"]
                if not ref.startswith("#"):  # contained resources stay as they are
                    node["reference"] = "->" + prints[ref] if ref in prints else "DANGLING:" + ref
            rendered.append(json.dumps(body, sort_keys=True))
        prints = {
            k: hashlib.sha256(r.encode()).hexdigest()[:16]
            for k, r in zip(keys, rendered, strict=True)
        }
    return sorted(rendered)


def _original(bundle: dict) -> list[dict]:
    """The source bundle's resources with urn:uuid references turned into Type/id."""
    by_url = {
        e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle["entry"]
    }
    resources = []
    for e in bundle["entry"]:
        res = json.loads(json.dumps(e["resource"]))
        fhir.rewrite_references(res, lambda ref: by_url.get(ref, ref))
        resources.append(res)
    return resources


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
    assert not any("DANGLING" in r for r in _canonical(resources)), "no reference left dangling"
    assert _canonical(resources) == _canonical(_original(source))

    second = import_as_new_record(json.loads(json.dumps(exported)))
    _, again = _export(second.patient_id)
    assert _canonical(again) == _canonical(resources)


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
