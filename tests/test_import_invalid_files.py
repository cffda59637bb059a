"""Importing a bad file: it is refused with a message that says why, and nothing is written."""

from __future__ import annotations

import copy
import json
from unittest import mock

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import imports
from carnet.records.models import ResourceVersion, SearchToken, SharedResource

from .fuzzing import examples
from .helpers import SYNTHEA, load, smallest_synthea


def _counts():
    return (
        ResourceVersion.objects.count(),
        SearchToken.objects.count(),
        SharedResource.objects.count(),
        AuditEntry.objects.count(),
    )


def _import(user, data):
    return imports.import_bundle(
        Actor.of_user(user),
        data,
        patient_id=accounts.patient_of(user).pk,
        purpose=Purpose.SELF,
        filename="bad.json",
    )


def _refused(user, data) -> str:
    before = _counts()
    with pytest.raises(imports.ImportRefused) as refused:
        _import(user, data)
    assert _counts() == before, "a refused file must write nothing"
    message = str(refused.value)
    assert message
    return message


def _bundle_with_at_least(n: int) -> dict:
    path = next(p for p in SYNTHEA if len(load(p)["entry"]) >= n)
    return load(path)


def test_truncated_synthea_json_is_refused(citizen):
    data = smallest_synthea().read_bytes()
    message = _refused(citizen, data[: len(data) // 2])
    assert "JSON" in message and "line" in message


def test_a_resource_that_is_not_a_bundle_is_refused(citizen):
    patient = next(e["resource"] for e in load(smallest_synthea())["entry"])
    assert patient["resourceType"] == "Patient"
    message = _refused(citizen, json.dumps(patient).encode())
    assert "'Patient'" in message and "Bundle" in message


def test_an_invalid_200th_entry_refuses_the_whole_file(citizen):
    bundle = _bundle_with_at_least(250)
    bundle["entry"][199]["resource"]["id"] = "not a valid id!"
    message = _refused(citizen, json.dumps(bundle).encode())
    assert "entry 200" in message and "id" in message


def test_a_structural_error_in_the_200th_entry_is_named(citizen):
    bundle = _bundle_with_at_least(250)
    bundle["entry"][199]["resource"]["meta"] = {}
    message = _refused(citizen, json.dumps(bundle).encode())
    assert "entry 200" in message and "empty" in message


def test_a_50_mb_file_is_refused_by_its_size_before_parsing(citizen):
    assert settings.CARNET_MAX_IMPORT_BYTES < 50 * 1024 * 1024
    head = b'{"resourceType": "Bundle", "type": "collection", "entry": [], "x": "'
    data = head + b"a" * (50 * 1024 * 1024 - len(head) - 2) + b'"}'
    assert len(data) == 50 * 1024 * 1024
    with mock.patch.object(imports.orjson, "loads", side_effect=AssertionError("parsed")):
        message = _refused(citizen, data)
    assert "too big" in message


def test_a_dangling_urn_uuid_reference_is_refused(citizen):
    bundle = load(smallest_synthea())
    n, entry = next(
        (n, e)
        for n, e in enumerate(bundle["entry"], start=1)
        if isinstance(e["resource"].get("subject"), dict)
    )
    entry["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    message = _refused(citizen, json.dumps(bundle).encode())
    assert f"entry {n}" in message and "urn:uuid:00000000" in message


def test_invalid_utf8_is_refused(citizen):
    data = smallest_synthea().read_bytes().replace(b'"family": "', b'"family": "\xff\xfe', 1)
    assert b"\xff\xfe" in data
    assert "UTF-8" in _refused(citizen, data)


def test_deeply_nested_json_is_refused(citizen):
    depth = 100_000
    message = _refused(citizen, b"[" * depth + b"]" * depth)
    assert message
    # A Bundle nested deeper than any real resource (3,000 extensions in extensions).
    level = b'{"url": "http://example.org/e", "extension": ['
    leaf = b'{"url": "http://example.org/leaf", "valueString": "x"}'
    nested = level * 3000 + leaf + b"]}" * 3000
    data = (
        b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
        b'{"resourceType": "Basic", "code": {"text": "x"}, "extension": [' + nested + b"]}}]}"
    )
    assert "nested too deeply" in _refused(citizen, data)


def test_a_bundle_with_two_patients_is_refused(citizen):
    bundle = load(smallest_synthea())
    patient = copy.deepcopy(bundle["entry"][0])
    assert patient["resource"]["resourceType"] == "Patient"
    patient["fullUrl"] = "urn:uuid:11111111-1111-4111-8111-111111111111"
    bundle["entry"].append(patient)
    message = _refused(citizen, json.dumps(bundle).encode())
    assert "one person" in message


def test_comments_in_json_are_refused(citizen):
    data = b"// exported by a tool\n" + smallest_synthea().read_bytes()
    assert "JSON" in _refused(citizen, data)


# --- Property: any mutation of a real bundle is imported whole or refused whole -----------------

BASE = load(smallest_synthea())
WRONG_VALUES = [None, 12345, -1.5, True, "", "x", [], {}, [None], {"a": None}, "2020-13-45"]


@st.composite
def mutated_bundles(draw) -> bytes:
    bundle = copy.deepcopy(BASE)
    entries = bundle["entry"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "duplicate", "retype", "wrong", "truncate"]))
        entry = entries[draw(st.integers(0, len(entries) - 1))]
        resource = entry["resource"]
        keys = sorted(resource)
        key = draw(st.sampled_from(keys))
        if kind == "drop":
            del resource[key]
            if not resource:
                resource["resourceType"] = "Basic"
        elif kind == "duplicate":
            if draw(st.booleans()):
                entries.append(copy.deepcopy(entry))
            else:
                other = draw(st.sampled_from(keys))
                resource[f"{other}2" if draw(st.booleans()) else other] = copy.deepcopy(
                    resource[key]
                )
        elif kind == "retype":
            resource["resourceType"] = draw(
                st.sampled_from(["Observation", "Condition", "Patient", "Bundle", "Nope", 7])
            )
        elif kind == "wrong":
            resource[key] = draw(st.sampled_from(WRONG_VALUES))
    data = json.dumps(bundle).encode()
    if draw(st.booleans()) and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data) - 1))]
    return data


@hypothesis_settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutated_bundles())
def test_a_mutated_bundle_is_imported_whole_or_refused_whole(citizen, data):
    before = _counts()
    try:
        result = _import(citizen, data)
    except imports.ImportRefused as refused:
        assert str(refused)
        assert _counts() == before
        return
    entries = json.loads(data)["entry"]
    assert result.created + result.shared_created + result.shared_reused == len(entries)


@pytest.mark.parametrize(
    "data,reason",
    [
        (b'{"resourceType": "Bundle", "type": "collection", "entry": [', "unreadable"),
        (b"\xff\xfe not utf-8", "unreadable"),
        (b'{"resourceType": "Patient"}', "not_bundle"),
        (b'{"resourceType": "Bundle", "type": "history"}', "not_bundle"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": [{}]}', "entry"),
    ],
)
def test_every_refusal_carries_a_reason_an_interface_can_translate(citizen, data, reason):
    with pytest.raises(imports.ImportRefused) as refused:
        _import(citizen, data)
    assert refused.value.reason == reason
    if reason == "entry":
        assert refused.value.entry == 1


def test_a_refusal_for_two_people_names_both_entries(citizen):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}},
            {"resource": {"resourceType": "Patient"}},
            {"resource": {"resourceType": "Patient"}},
        ],
    }
    with pytest.raises(imports.ImportRefused) as refused:
        _import(citizen, json.dumps(bundle).encode())
    assert (refused.value.reason, refused.value.entry, refused.value.other_entry) == (
        "several_people",
        2,
        3,
    )
