"""Read an imported record: a person imports a Synthea bundle and reads its home, timeline,
item pages and printed summary, in French and in English, in plain words.

On every page: no raw UCUM code (« {score} », « mm[Hg] », « kg/m2 », « /min »), no
English clinical label on a French page where Carnet's display table names the code, every
chart's SVG parses with numbers for coordinates. With ``CARNET_SHARED_DIR`` pointing to the
shared data (``../shared``), the optional long test does the same for every shared bundle
(``bench/display_coverage.py`` prints the coverage figures).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import plain_words
from tests.helpers import SYNTHEA, citizen, import_file, largest_synthea

SMALL = [p for p in SYNTHEA if p != largest_synthea()]


def _import(client, path: Path, email: str = "reader@example.org"):
    user = citizen(email)
    result = import_file(user, path)
    assert result.created, path.name
    client.force_login(user)
    return user


def _read_and_check(client, path: Path, *, every_item: bool) -> dict:
    labels = plain_words.english_labels(plain_words.resources_of(path))
    found = {}
    for language in ("fr", "en"):
        read = plain_words.read_record(client, language, every_item=every_item)
        wrong = plain_words.problems(read, labels, language)
        assert not wrong, f"{path.name} ({language}):\n" + "\n".join(wrong[:30])
        found[language] = read
    return found


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name.split("_")[0])
def test_each_bundle_reads_in_plain_words(client, path):
    _import(client, path)
    found = _read_and_check(client, path, every_item=True)
    # The record's measurements are drawn: at least one chart, in both languages.
    weights = [
        r
        for r in plain_words.resources_of(path)
        if r["resourceType"] == "Observation" and "29463-7" in str(r.get("code"))
    ]
    if len(weights) >= 2:
        assert found["fr"]["charts"] > 0 and found["en"]["charts"] == found["fr"]["charts"]


def test_the_largest_bundle_reads_in_plain_words(client):
    path = largest_synthea()
    _import(client, path)
    found = _read_and_check(client, path, every_item=False)
    assert found["fr"]["charts"] >= 5
    french = plain_words.visible_text(next(iter(found["fr"]["pages"].values())))
    assert "Tension artérielle" in french or "Poids" in french


def test_the_check_finds_what_it_looks_for():
    """The checks themselves: they see a raw unit, an English label, a comma in an SVG."""
    assert plain_words.raw_units("Douleur : 1 {score}") == ["{score}"]
    assert plain_words.raw_units("IMC 27,4 kg/m2, pouls 72 /min, 120 mm[Hg]")
    assert not plain_words.raw_units("IMC 27,4 kg/m², 72 battements par minute, 120 mmHg")
    labels = plain_words.english_labels(
        [{"resourceType": "Observation", "code": {"coding": [
            {"system": "http://loinc.org", "code": "29463-7", "display": "Body Weight"}
        ], "text": "Body Weight"}}]
    )  # fmt: skip
    assert "Body Weight" in labels
    assert plain_words.english_found("Body Weight : 80 kg", labels) == ["Body Weight"]
    assert plain_words.svg_numbers('<svg viewBox="0 0 4 4"><circle cx="1.5" cy="2"/></svg>') == 1
    with pytest.raises(ValueError):
        plain_words.svg_numbers('<svg viewBox="0 0 4 4"><circle cx="51,6" cy="2"/></svg>')


SHARED = os.environ.get("CARNET_SHARED_DIR")

if SHARED:  # the optional long run over the 30 shared bundles: `make test-shared`

    def test_every_shared_bundle_reads_in_plain_words(client):
        bundles = sorted((Path(SHARED) / "data" / "synthea").glob("*.json"))
        assert len(bundles) >= 30
        for n, path in enumerate(bundles):
            client.logout()
            _import(client, path, email=f"reader{n}@example.org")
            _read_and_check(client, path, every_item=path.stat().st_size < 600_000)
