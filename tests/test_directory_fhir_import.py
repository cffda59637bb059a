"""`carnet directory import` of Annuaire Santé FHIR bundles of Practitioner resources."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from carnet.care import directory
from carnet.care.models import DirectoryEntry

from .directory import SHARED, extract, rpps_line

SAMPLE = SHARED / "exemple-practitioner-10000548254.json"
INVALID = SHARED / "PP16-Practitioner.INVALID.json"


def bundle_of(*resources: dict) -> bytes:
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources],
        }
    ).encode()


def named(rpps: str, family: str, given: str, **extra) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": f"003-{rpps}",
        "identifier": [{"system": "http://rpps.fr", "value": rpps}],
        "name": [{"family": family, "given": [given], "prefix": ["DR"]}],
        **extra,
    }


def test_it_imports_the_annuaire_sante_sample_bundle():
    report = directory.import_file(SAMPLE)
    assert (report.format, report.read, report.imported, report.rejected) == ("fhir", 1, 1, 0)
    entry = DirectoryEntry.objects.get()
    # IDNPS 810000548254 is "8" + the RPPS number 10000548254.
    assert (entry.national_id, entry.rpps, entry.id_type) == ("810000548254", "10000548254", "8")
    assert (entry.source, entry.civility) == ("fhir", "M")
    again = directory.import_file(SAMPLE, "fhir")
    assert (again.imported, again.created) == (1, 0)
    assert DirectoryEntry.objects.count() == 1


def test_a_practitioner_is_found_by_name_and_marked_on_carnet():
    from carnet.accounts import services as accounts

    data = bundle_of(named("10000000001", "Lefèvre", "Hélène"), named("10000000002", "Roux", "Luc"))
    report = directory.import_fhir(data)
    assert (report.imported, report.created) == (2, 2)
    user = accounts.create_user("h@example.org", None, role="practitioner", rpps="10000000001")
    found = directory.search(q="HELENE LEF")
    assert [(e.last_name, e.on_carnet, e.user_id) for e in found.entries] == [
        ("Lefèvre", True, user.pk)
    ]


def test_it_updates_the_listings_already_imported_from_the_extract():
    directory.import_rpps(
        io.BytesIO(
            extract(
                [
                    rpps_line("10000000001", "MARTIN", "Anne", structure_id="S1", town="Albi"),
                    rpps_line("10000000001", "MARTIN", "Anne", structure_id="S2", town="Gaillac"),
                ]
            )
        )
    )
    report = directory.import_fhir(bundle_of(named("10000000001", "MARTIN-DURAND", "Anne")))
    assert (report.imported, report.created) == (1, 0)
    rows = DirectoryEntry.objects.order_by("town").values_list("town", "last_name", "profession")
    assert list(rows) == [
        ("Albi", "MARTIN-DURAND", "Médecin"),
        ("Gaillac", "MARTIN-DURAND", "Médecin"),
    ]


def test_invalid_practitioners_are_rejected_others_imported_and_other_types_skipped():
    bad = named("10000000003", "Faux", "Jean", gender=42)
    no_id = named("10000000004", "Sans", "Numero")
    del no_id["identifier"]
    org = {"resourceType": "Organization", "id": "o1", "name": "Cabinet"}
    report = directory.import_fhir(bundle_of(named("10000000001", "Bon", "Paul"), bad, no_id, org))
    assert (report.read, report.imported, report.rejected, report.skipped) == (4, 1, 2, 1)
    assert report.rejected_by_reason == {"invalid FHIR Practitioner": 1, directory.R_NO_ID: 1}
    assert [n for n, _ in report.rejections] == [2, 3]
    assert list(DirectoryEntry.objects.values_list("last_name", flat=True)) == ["Bon"]


def test_the_invalid_pp16_file_is_refused_with_a_message_and_nothing_written():
    with pytest.raises(directory.DirectoryFileRefused, match=r"not valid JSON \(line 17"):
        directory.import_file(INVALID)
    with pytest.raises(CommandError) as exc:
        call_command("directory", "import", str(INVALID), "--format", "fhir")
    assert "PP16-Practitioner.INVALID.json was not imported" in str(exc.value)
    assert "Nothing was written" in str(exc.value)
    assert DirectoryEntry.objects.count() == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"[1, 2]", "not a FHIR resource"),
        (b'{"resourceType": "Patient", "id": "p"}', "neither a FHIR Bundle nor a Practitioner"),
        (b'{"resourceType": "Bundle", "type": "searchset", "entry": {}}', "entry is not a list"),
        (b'{"resourceType": "Bundle"\xff}', "not UTF-8"),
    ],
)
def test_other_files_that_are_not_directory_fhir_are_refused(data, message):
    with pytest.raises(directory.DirectoryFileRefused, match=message):
        directory.import_fhir(data)
    assert DirectoryEntry.objects.count() == 0


def test_the_command_reads_a_bundle_and_reports(tmp_path):
    sample = json.loads(SAMPLE.read_text())
    broken = copy.deepcopy(sample["entry"][0])
    broken["resource"]["gender"] = 42
    sample["entry"].append(broken)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(sample))
    out = io.StringIO()
    call_command("directory", "import", str(path), stdout=out)
    text = out.getvalue()
    assert "bundle.json (fhir): 1 imported (1 new in the directory), 1 rejected" in text
    assert "rejected, invalid FHIR Practitioner: 1" in text
    assert "entry 2: invalid FHIR Practitioner: gender" in text
