"""A vaccination already in the record is not added a second time by another file.

The same shots come back in several documents (a DMP vaccination history, then a patient
summary that repeats it). Carnet recognises a vaccination the record already holds when the
vaccine code, the day and the batch number are all equal, does not add it twice, and says so
on the import result (« déjà dans votre dossier »). Anything less than all three is kept: two
doses of one vaccine on one day with two batch numbers are two acts.

Found on the shipped files: the 2009 shots of VAC_2023.01 (« VACCIN TETANIQUE PASTEUR »,
CIS 68747507, ATC J07AM) and of IPS-FR_2024.01 (« REVAXIS », CIS 60917345, ATC J07CA01)
share the day and the batch numbers but not the vaccine: they are kept apart.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import importers, services

from .cli import carnet, fresh_install
from .helpers import DATA, citizen

VAC = DATA / "cda" / "fr" / "VAC_2023.01.xml"
IPS = DATA / "cda" / "fr" / "IPS-FR_2024.01.xml"


def _another_copy(data: bytes) -> bytes:
    """The same history sent again as another document (another id, so another file)."""
    return data.replace(b"<title>", b"<title>Copie : ", 1)


def _import(user, data: bytes, name: str):
    return importers.import_file(
        Actor.of_user(user), accounts.patient_of(user).pk, data, name, Purpose.SELF
    )


def _vaccinations(user) -> list[dict]:
    return services.search(
        Actor.of_user(user), accounts.patient_of(user).pk, "Immunization", Purpose.SELF
    ).resources


def test_a_second_document_with_the_same_shots_adds_none_and_lists_them():
    user = citizen()
    first = _import(user, VAC.read_bytes(), VAC.name)
    assert first.by_type["Immunization"] == 4
    second = _import(user, _another_copy(VAC.read_bytes()), "copie.xml")
    assert not second.duplicate  # another file: not caught as the same bytes
    assert "Immunization" not in second.by_type
    assert len(second.already_in_record) == 4
    held = {v["id"] for v in _vaccinations(user)}
    assert len(held) == 4 and {a["id"] for a in second.already_in_record} == held
    assert second.document_id  # the document itself is kept


def test_a_different_batch_is_another_dose():
    user = citizen()
    _import(user, VAC.read_bytes(), VAC.name)
    changed = _another_copy(VAC.read_bytes()).replace(b"4456672", b"4456699")
    second = _import(user, changed, "copie.xml")
    assert second.by_type["Immunization"] == 1  # only the shot with another batch number
    assert len(second.already_in_record) == 3
    assert len(_vaccinations(user)) == 5


def test_the_summary_keeps_the_shots_of_another_vaccine():
    user = citizen()
    _import(user, VAC.read_bytes(), VAC.name)
    ips = _import(user, IPS.read_bytes(), IPS.name)
    assert ips.already_in_record == []  # same day and batch, but another vaccine
    assert ips.by_type["Immunization"] == 2


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_the_import_page_says_already_in_your_record(client, immediate):
    user = citizen()
    client.force_login(user)
    _import(user, VAC.read_bytes(), VAC.name)
    upload = SimpleUploadedFile("copie.xml", _another_copy(VAC.read_bytes()), "text/xml")
    response = client.post(reverse("records:import"), {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "4 vaccinations déjà dans votre dossier" in page
    assert "28 septembre 2009" in page
    for item in _vaccinations(user):
        assert reverse("records:item", args=[item["id"]]) in page


def test_the_cli_says_how_many_were_already_there(tmp_path):
    fresh_install(tmp_path)
    carnet(tmp_path, "user", "create", "vac@example.org", input="a long enough passphrase\n")
    carnet(tmp_path, "import", str(VAC), "--owner", "vac@example.org", "--quiet")
    copy = tmp_path / "copie.xml"
    copy.write_bytes(_another_copy(VAC.read_bytes()))
    out = carnet(tmp_path, "import", str(copy), "--owner", "vac@example.org", "--quiet")
    assert "4 vaccination(s) already in the record" in out.stdout
