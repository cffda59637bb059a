"""Hypothesis fuzzing of the CDA importers (French CDA, C-CDA, plain CDA) with mutated real
documents from the shared data: every mutant is either imported whole (its rows, its
encrypted original, a DocumentReference naming it) or refused with a message, writing
nothing. Never a crash, never a partial write."""

from __future__ import annotations

import copy
from pathlib import Path

from defusedxml import ElementTree as SafeET
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, imports
from carnet.records.models import Blob, ResourceVersion, SearchToken, SharedResource

from .fuzzing import examples
from .helpers import DATA

FILES = sorted(p for p in (DATA / "cda").rglob("*") if p.suffix.lower() == ".xml")
# Fuzz the smaller documents (each mutant is a whole import); the 1.5 MB IPS-FR stays in
# the importer's own tests.
SMALL = [p for p in FILES if p.stat().st_size < 500_000]
WRONG = ["", "x", "-1", "99999999999999999999", "2020-13-45", "NaN", "é" * 300, "<>&", "0.5"]


def _counts():
    return (
        ResourceVersion.objects.count(),
        SearchToken.objects.count(),
        SharedResource.objects.count(),
        Blob.objects.count(),
        AuditEntry.objects.filter(decision="permit", action="import").count(),
    )


def _files() -> set[Path]:
    return set(Path(settings.BLOB_DIR).glob("*/*"))


@st.composite
def mutated_documents(draw) -> bytes:
    path = draw(st.sampled_from(SMALL))
    data = path.read_bytes()
    if draw(st.integers(0, 4)) == 0:  # byte-level damage
        kind = draw(st.sampled_from(["truncate", "flip", "entity", "junk"]))
        if kind == "truncate":
            return data[: draw(st.integers(0, len(data) - 1))]
        if kind == "flip":
            at = draw(st.integers(0, len(data) - 1))
            return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        if kind == "entity":
            return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + data.split(b"?>", 1)[-1]
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    root = SafeET.fromstring(data)
    elements = list(root.iter())
    for _ in range(draw(st.integers(1, 4))):
        el = draw(st.sampled_from(elements))
        parents = {c: p for p in root.iter() for c in p}
        kind = draw(st.sampled_from(["drop", "duplicate", "attribute", "text", "retag"]))
        if kind == "drop" and el in parents:
            parents[el].remove(el)
        elif kind == "duplicate" and el in parents:
            parents[el].append(copy.deepcopy(el))
        elif kind == "attribute" and el.attrib:
            name = draw(st.sampled_from(sorted(el.attrib)))
            if draw(st.booleans()):
                del el.attrib[name]
            else:
                el.set(name, draw(st.sampled_from(WRONG)))
        elif kind == "text":
            el.text = draw(st.sampled_from(WRONG))
        elif kind == "retag":
            el.tag = draw(st.sampled_from(sorted({e.tag for e in elements})))
        elements = list(root.iter())
    return SafeET.tostring(root, encoding="utf-8")


@hypothesis_settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutated_documents())
def test_a_mutated_cda_document_is_imported_whole_or_refused_whole(citizen, data):
    patient_id = accounts.patient_of(citizen).pk
    before, files_before = _counts(), _files()
    try:
        result = importers.import_file(
            Actor.of_user(citizen), patient_id, data, "mutant.xml", Purpose.SELF
        )
    except imports.ImportRefused as refused:
        assert str(refused) and refused.reason in imports.ImportRefused.REASONS
        assert _counts() == before, "a refused document must write nothing"
        assert _files() == files_before, "a refused document leaves no file behind"
        return
    after = _counts()
    if getattr(result, "duplicate", False):
        assert after == before
        return
    assert after[0] - before[0] == result.created > 0
    new_blobs = Blob.objects.exclude(blob_id__in=[f.name for f in files_before]).values_list(
        "blob_id", flat=True
    )
    assert len(new_blobs) == after[3] - before[3] >= 1, "the original is kept"
    assert {f.name for f in _files() - files_before} == set(new_blobs)
    assert result.document_id, "a DocumentReference names the kept original"
