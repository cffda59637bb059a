"""`carnet directory import` of the public Annuaire Santé extract (PS_LibreAcces_Personne_activite)."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from carnet.care import directory
from carnet.care.models import DirectoryEntry
from tests.cli import CARNET, env_for

from .directory import SMALL, extract, rpps_line, run


def test_it_imports_every_row_of_the_shared_extract():
    # 21 data rows, all well formed (52 columns + trailing "|", ADELI identifiers).
    report = directory.import_file(SMALL)
    assert (report.read, report.imported, report.rejected, report.created) == (21, 21, 0, 21)
    assert DirectoryEntry.objects.count() == 21
    helene = DirectoryEntry.objects.get(national_id="0019401140")
    assert (helene.last_name, helene.first_name) == ("KRISTIAN", "Helene")
    assert (helene.profession, helene.postcode, helene.town) == (
        "Ergothérapeute",
        "01370",
        "Meillonnas",
    )
    assert helene.organisation == "MAS LES MONTAINES MEILLONNAS"
    assert helene.address == "23 Chemin DES MONTAINES"
    assert helene.email == "maslesmontaines@adapei01.asso.fr"
    assert (helene.name_norm, helene.name_rev_norm) == ("kristian helene", "helene kristian")
    assert helene.rpps == ""  # an ADELI number is not an RPPS
    # No commune given: the town comes from the "bureau cedex" line.
    optic = DirectoryEntry.objects.get(national_id="0012600631")
    assert (optic.postcode, optic.town, optic.town_norm) == ("25300", "DOUBS", "doubs")
    cedex = DirectoryEntry.objects.get(national_id="0019600048")
    assert cedex.town == "Bourg-en-Bresse"


def test_it_rejects_each_kind_of_malformed_row_and_imports_the_rest():
    good = [rpps_line(f"1000000000{i}", "MARTIN", f"Anne{i}") for i in range(3)]
    data = extract(
        [
            good[0],
            "8|10000000099|810000000099|too|few|columns|",  # line 3
            rpps_line("10000000098", "DURAND", "Paul") + "extra|",  # line 4: 53 columns
            rpps_line("", "SANS", "Numero", national_id=""),  # line 5
            rpps_line("10000000097", "LAT", "Hélène")
            .encode("utf-8")
            .replace("é".encode(), "é".encode("latin-1")),  # line 6: Latin-1, not UTF-8
            good[1],
            rpps_line("12345", "COURT", "Numero", national_id="812345"),  # line 8: RPPS of 5 digits
            rpps_line("10000000096", "", ""),  # line 9
            rpps_line("10000000095", "NUL", "Octet\x00"),  # line 10
            good[2],
        ]
    )
    report = run(data)
    assert (report.read, report.imported, report.rejected) == (10, 3, 7)
    assert report.rejected_by_reason == {
        directory.R_COLUMNS: 2,
        directory.R_NO_ID: 1,
        directory.R_ENCODING: 2,
        directory.R_BAD_ID: 1,
        directory.R_NO_NAME: 1,
    }
    lines = {n: why for n, why in report.rejections}
    assert lines[3].startswith("wrong number of columns: 6 instead of 52")
    assert lines[4].startswith("wrong number of columns: 53 instead of 52")
    assert lines[5] == directory.R_NO_ID
    assert lines[6].startswith(directory.R_ENCODING)
    assert lines[8].startswith(directory.R_BAD_ID)
    assert lines[9].startswith(directory.R_NO_NAME)
    assert lines[10].startswith(directory.R_ENCODING)
    assert sorted(DirectoryEntry.objects.values_list("first_name", flat=True)) == [
        "Anne0",
        "Anne1",
        "Anne2",
    ]


def test_it_lists_the_first_rejections_and_counts_the_rest():
    bad = ["a|b|"] * (directory.MAX_LISTED + 5)
    report = run(extract(bad))
    assert report.rejected == directory.MAX_LISTED + 5
    assert len(report.rejections) == directory.MAX_LISTED
    assert report.rejections[0][0] == 2


def test_importing_again_updates_instead_of_duplicating():
    directory.import_file(SMALL)
    again = directory.import_file(SMALL)
    assert (again.imported, again.created) == (21, 0)
    assert DirectoryEntry.objects.count() == 21

    first = extract([rpps_line("10000000001", "MARTIN", "Anne", town="Toulouse")])
    moved = extract([rpps_line("10000000001", "MARTIN", "Anne", town="Albi")])
    run(first)
    report = run(moved)
    assert report.created == 0
    entry = DirectoryEntry.objects.get(national_id="810000000001")
    assert (entry.town, entry.town_norm) == ("Albi", "albi")
    assert DirectoryEntry.objects.count() == 22


def test_one_practitioner_at_two_places_has_two_listings():
    data = extract(
        [
            rpps_line("10000000001", "MARTIN", "Anne", structure_id="S1", town="Albi"),
            rpps_line("10000000001", "MARTIN", "Anne", structure_id="S2", town="Castres"),
            rpps_line("10000000001", "MARTIN", "Anne", structure_id="S2", town="Castres"),
        ]
    )
    report = run(data, batch_size=2)
    assert (report.imported, report.created) == (3, 2)
    assert sorted(DirectoryEntry.objects.values_list("town", flat=True)) == ["Albi", "Castres"]


def test_small_batches_give_the_same_result(monkeypatch):
    monkeypatch.setattr(directory, "ANALYZE_AFTER", 10)  # and statistics are refreshed
    with SMALL.open("rb") as fh:
        report = directory.import_rpps(fh, batch_size=4)
    assert (report.imported, report.created) == (21, 21)


def test_prune_removes_listings_the_new_extract_no_longer_has():
    run(extract([rpps_line("10000000001", "MARTIN", "Anne", structure_id="OLD")]))
    run(extract([rpps_line("10000000001", "MARTIN", "Anne", structure_id="NEW")]), prune=True)
    assert list(DirectoryEntry.objects.values_list("activity_key", flat=True)) == ["NEW|L||10"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"nom;prenom\nMARTIN;Anne\n",
        b"\xff\xfeT\x00y\x00",
        b"Type d'identifiant PP|Identifiant PP|Nom d'exercice|\n8|1|X|\n",
    ],
)
def test_a_file_that_is_not_an_extract_is_refused_whole(data):
    with pytest.raises(directory.DirectoryFileRefused):
        run(data)
    assert DirectoryEntry.objects.count() == 0


def test_the_command_prints_what_it_imported_and_rejected(tmp_path):
    path = tmp_path / "extract.txt"
    path.write_bytes(
        extract([rpps_line("10000000001", "MARTIN", "Anne"), "a|b|", rpps_line("", "X", "Y")])
    )
    out = io.StringIO()
    call_command("directory", "import", str(path), "--quiet", stdout=out)
    text = out.getvalue()
    assert "extract.txt (rpps): 1 imported (1 new in the directory), 2 rejected" in text
    assert "rejected, wrong number of columns: 1" in text
    assert "rejected, missing identifier: 1" in text
    assert "line 3: wrong number of columns: 2 instead of 52" in text
    assert "line 4: missing identifier" in text


def test_the_command_refuses_a_file_that_is_not_an_extract(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(CommandError, match="not a public directory extract.*Nothing was written"):
        call_command("directory", "import", str(path), "--format", "rpps")
    with pytest.raises(CommandError, match="no such file"):
        call_command("directory", "import", str(tmp_path / "missing.txt"))


@pytest.mark.no_db
def test_the_command_documents_itself(tmp_path):
    result = subprocess.run(
        [str(CARNET), "directory", "import", "--help"],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "--format {auto,rpps,fhir}" in result.stdout
    assert "Nothing is written" in result.stdout or "nothing is written" in result.stdout


def test_a_first_load_rebuilds_every_search_index_even_when_refused():
    wanted = {index.name for index in DirectoryEntry._meta.indexes}
    with pytest.raises(directory.DirectoryFileRefused):
        run(b"not an extract\n")  # into the empty directory: indexes are dropped, then back
    assert wanted <= directory._existing_indexes()
    directory.import_file(SMALL)
    assert wanted <= directory._existing_indexes()
    assert directory.ensure_search_indexes() == []
