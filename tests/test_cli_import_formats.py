"""`carnet import FILE… --owner EMAIL` accepts every format, recognised by content."""

import json
import shutil

import pytest

from .cli import carnet, fresh_install
from .helpers import DATA, smallest_synthea


@pytest.mark.no_db
def test_it_imports_fhir_cda_and_watch_files_by_content(tmp_path):
    home = tmp_path / "home"
    fresh_install(home)
    carnet(home, "user", "create", "alice@example.org", input="a long enough passphrase\n")
    # File names that say nothing: the content decides.
    files = []
    for n, src in enumerate(
        [
            smallest_synthea(),
            DATA / "cda" / "fr" / "VAC_2023.01.xml",
            DATA / "wearables" / "gpx" / "garmin_gpxtpx.gpx",
        ]
    ):
        dst = tmp_path / f"file{n}.dat"
        shutil.copy(src, dst)
        files.append(str(dst))
    # The sample files are about three different people: the owner says they are hers
    # (--as-me), or the second one would be refused (test_import_someone_elses_file).
    out = carnet(home, "import", *files, "--owner", "alice@example.org", "--quiet", "--as-me")
    assert out.stdout.count("resources imported into record") == 3
    again = carnet(home, "import", files[1], "--owner", "alice@example.org", "--quiet")
    assert "already in the record" in again.stdout

    exported = tmp_path / "out.json"
    carnet(home, "export", "--patient", "alice@example.org", "-o", str(exported))
    types = {e["resource"]["resourceType"] for e in json.loads(exported.read_text())["entry"]}
    assert {"Immunization", "Observation", "DocumentReference", "Condition"} <= types


@pytest.mark.no_db
def test_a_refused_file_without_owner_creates_no_record(tmp_path):
    fresh_install(tmp_path)
    bad = tmp_path / "bad.xml"
    bad.write_text("<ClinicalDocument xmlns='urn:hl7-org:v3'><unclosed></ClinicalDocument>")
    out = carnet(tmp_path, "import", str(bad), "--quiet", check=False)
    assert out.returncode != 0 and "refused, nothing was written" in out.stderr
    users = carnet(
        tmp_path,
        "shell",
        "-c",
        "from carnet.accounts.models import Patient; print(Patient.objects.count())",
    )
    assert users.stdout.strip().splitlines()[-1] == "0"
