"""Importing a file about someone else: Carnet stops and asks whose it is.

Alejandro (a man born 1963) holds his Synthea record in Carnet; Keitha's bundle (a woman
born 2004) used to be merged into it, her 455 entries added and his name and birth date
replaced by hers. Now the import stops before writing anything, and the person says: it is
me (keep my details, or take the file's), a relative whose record I manage (it goes
there), or a mistake (nothing written). The web import, the CLI and the FHIR API agree; a
French CDA document's recordTarget is checked the same way.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from carnet.access import proxies
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import identity, importers, imports, services, tasks
from carnet.records.models import ResourceVersion, SearchToken

from .cli import carnet, fresh_install
from .helpers import DATA, citizen, load, synthea

ALEJANDRO = synthea("Alejandro")
KEITHA = synthea("Keitha")
PRESCRIPTION = DATA / "cda" / "fr" / "eP-MED-DM_2024.01_PosoStruct.xml"


def _counts():
    return (ResourceVersion.objects.count(), SearchToken.objects.count())


def _import(user, path, **kw):
    return importers.import_file(
        Actor.of_user(user),
        accounts.patient_of(user).pk,
        path.read_bytes(),
        path.name,
        Purpose.SELF,
        **kw,
    )


def _me(user) -> dict:
    found = services.search(
        Actor.of_user(user), accounts.patient_of(user).pk, "Patient", Purpose.SELF
    ).resources
    assert len(found) == 1
    return found[0]


@pytest.fixture
def alejandro():
    user = citizen("alejandro@example.org")
    _import(user, ALEJANDRO)
    assert _me(user)["birthDate"] == "1963-10-05"
    return user


@pytest.fixture
def immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


# --- Who is who ---------------------------------------------------------------------------------


def _patient(family="", given=(), birth="", ids=()):
    res = {"resourceType": "Patient"}
    if family or given:
        res["name"] = [{"family": family, "given": list(given)} if family else {"given": given}]
    if birth:
        res["birthDate"] = birth
    if ids:
        res["identifier"] = [{"system": s, "value": v} for s, v in ids]
    return res


@pytest.mark.no_db
@pytest.mark.parametrize(
    "record, file, differs",
    [
        # Accents, case, the digits a generator adds, a second given name: the same person.
        (_patient("Mejía", ["Gustavo"], "1986-11-27"), _patient("MEJIA", ["gustavo"]), []),
        (_patient("Mejía514", ["Gustavo91"]), _patient("Mejia", ["Gustavo", "Luis"]), []),
        (_patient("Dupont", ["Marie"], "1980"), _patient("Dupont", ["Marie"], "1980-05-02"), []),
        # A brand new record, or a file that names nobody: nothing to compare.
        (_patient(), _patient("Turner", ["Keitha"], "2004-07-22"), []),
        (None, _patient("Turner", ["Keitha"], "2004-07-22"), []),
        (_patient("Riojas", ["Alejandro"], "1963-10-05"), _patient(), []),
        # The same identifier from the same issuer wins over a changed name.
        (
            _patient("Martin", ["Marie"], "1980-05-02", [("urn:oid:1.2.250.1.213.1.4.8", "2")]),
            _patient("Dupont", ["Marie"], "1980-05-02", [("urn:oid:1.2.250.1.213.1.4.8", "2")]),
            [],
        ),
        # Someone else.
        (
            _patient("Riojas", ["Alejandro"], "1963-10-05"),
            _patient("Turner", ["Keitha"], "2004-07-22"),
            ["birth_date", "name"],
        ),
        (
            _patient("Riojas", ["Alejandro"], "1963-10-05"),
            _patient(birth="2004-07-22"),
            ["birth_date"],
        ),
        (
            _patient("Dupont", ["Léa"], "2015-03-01", [("urn:x", "1")]),
            _patient("Dupont", ["Marie"], "1980-05-02", [("urn:x", "2")]),
            ["identifier", "birth_date", "name"],
        ),
    ],
)
def test_who_is_who(record, file, differs):
    assert identity.differences(identity.person_of(record), identity.person_of(file)) == differs


# --- The import service ------------------------------------------------------------------------


def test_another_persons_bundle_is_refused_and_nothing_is_written(alejandro):
    before = _counts()
    audits_last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with pytest.raises(imports.ImportRefused) as refused:
        _import(alejandro, KEITHA)
    assert refused.value.reason == "other_person"
    mismatch = refused.value.mismatch
    assert mismatch.file == {"name": "Keitha Turner", "birth_date": "2004-07-22"}
    assert mismatch.record == {"name": "Alejandro Riojas", "birth_date": "1963-10-05"}
    assert "birth_date" in mismatch.fields and "name" in mismatch.fields
    assert "Keitha Turner" in str(refused.value) and "Alejandro Riojas" in str(refused.value)
    assert _counts() == before
    # The record's details were read to compare them: that read is in the access history.
    assert not AuditEntry.objects.filter(pk__gt=audits_last, action="import").exists()
    [compared] = AuditEntry.objects.filter(pk__gt=audits_last)
    assert (compared.action, compared.resource_type, compared.count) == ("read", "Patient", 1)
    assert _me(alejandro)["name"][0]["family"] == "Riojas"


def test_it_is_me_keeps_my_details_unless_i_take_the_files(alejandro):
    entries = len(load(KEITHA)["entry"])
    result = _import(alejandro, KEITHA, person=imports.MINE)
    assert result.created + result.shared_created + result.shared_reused == entries - 1
    me = _me(alejandro)
    assert (me["name"][0]["family"], me["birthDate"]) == ("Riojas", "1963-10-05")
    # Another file of hers, and this time the file's details are the right ones.
    bundle = load(KEITHA)
    bundle["entry"] = bundle["entry"][:5]
    again = imports.import_bundle(
        Actor.of_user(alejandro),
        json.dumps(bundle),
        patient_id=accounts.patient_of(alejandro).pk,
        person=imports.MINE_TAKE_DETAILS,
    )
    assert again.created + again.shared_created + again.shared_reused == 5
    me = _me(alejandro)
    assert (me["name"][0]["family"], me["birthDate"]) == ("Turner", "2004-07-22")


def test_a_new_empty_record_accepts_its_first_file_and_the_same_persons_next_one():
    keitha = citizen("keitha@example.org")
    _import(keitha, KEITHA)
    bundle = load(KEITHA)
    patient = bundle["entry"][0]["resource"]
    patient["name"][0]["family"] = "TÜRNER"  # the same person, written another way
    patient["identifier"] = []
    del patient["identifier"]
    bundle["entry"] = bundle["entry"][:3]
    result = imports.import_bundle(
        Actor.of_user(keitha), json.dumps(bundle), patient_id=accounts.patient_of(keitha).pk
    )
    assert result.created + result.shared_created + result.shared_reused == 3
    assert _me(keitha)["name"][0]["family"] == "TÜRNER"  # a matching file updates the details


def test_a_french_document_about_someone_else_is_refused_too(alejandro):
    before = _counts()
    with pytest.raises(imports.ImportRefused) as refused:
        _import(alejandro, PRESCRIPTION)
    assert refused.value.reason == "other_person"
    assert refused.value.mismatch.file["birth_date"] == "1979-03-28"
    assert _counts() == before
    result = _import(alejandro, PRESCRIPTION, person=imports.MINE)
    assert result.by_type["MedicationRequest"] == 2
    assert _me(alejandro)["name"][0]["family"] == "Riojas"


def test_a_french_document_can_bring_its_persons_details():
    user = citizen("dominique@example.org")
    _import(user, ALEJANDRO)  # a record with someone's details already
    _import(user, PRESCRIPTION, person=imports.MINE_TAKE_DETAILS)
    me = _me(user)
    assert (me["name"][0]["family"], me["birthDate"]) == ("PAT-TROIS", "1979-03-28")


# --- The web import asks ------------------------------------------------------------------------


def _upload(client, path):
    response = client.post(
        reverse("records:import"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes(), "application/json")},
    )
    assert response.status_code == 302
    return response["Location"]


def test_the_web_import_asks_whose_file_it_is(client, alejandro, immediate):
    client.force_login(alejandro)
    before = _counts()
    job = _upload(client, KEITHA)
    page = client.get(job).content.decode()
    assert "À qui est ce fichier\u00a0?" in page
    assert "Keitha Turner, né(e) le 22 juillet 2004" in page
    assert "Alejandro Riojas" in page and "5 octobre 1963" in page
    assert "Rien n’a encore été ajouté." in page
    assert _counts() == before
    assert client.get(job + "etat/").json()["finished"] is True  # the page stops polling
    status = tasks.get_status(job.rstrip("/").rsplit("/", 1)[1])
    assert "Keitha" not in repr(status) and "Riojas" not in repr(status)  # kept encrypted

    # A mistake: nothing is written, and the kept upload is forgotten.
    response = client.post(job + "choix/", {"choice": "cancel"})
    assert response.status_code == 302
    assert "Rien n’a été importé" in client.get(job).content.decode()
    assert _counts() == before
    assert client.post(job + "choix/", {"choice": "mine"}).status_code == 302
    assert _counts() == before

    # Again, and this time it is mine: imported, my details kept.
    job = _upload(client, KEITHA)
    assert client.post(job + "choix/", {"choice": "nonsense"}).status_code == 400
    client.post(job + "choix/", {"choice": "mine"})
    assert "Fichier importé" in client.get(job).content.decode()
    me = _me(alejandro)
    assert (me["name"][0]["family"], me["birthDate"]) == ("Riojas", "1963-10-05")


def test_a_parent_sends_the_file_to_the_childs_record(client, alejandro, immediate):
    child = proxies.add_child(alejandro, dt.date.today() - dt.timedelta(days=365 * 8))
    client.force_login(alejandro)
    own = accounts.patient_of(alejandro).pk
    own_rows = ResourceVersion.objects.filter(patient_id=own).count()
    job = _upload(client, KEITHA)
    page = client.get(job).content.decode()
    assert f'value="relative-{child.pk}"' in page
    # Someone else's record cannot be chosen by forging the answer.
    stranger = citizen("stranger@example.org")
    stranger_pid = accounts.patient_of(stranger).pk
    assert client.post(job + "choix/", {"choice": f"relative-{stranger_pid}"}).status_code == 400
    client.post(job + "choix/", {"choice": f"relative-{child.pk}"})
    assert "Fichier importé" in client.get(job).content.decode()
    assert ResourceVersion.objects.filter(patient_id=own).count() == own_rows
    assert ResourceVersion.objects.filter(patient_id=child.pk, resource_type="Condition").exists()
    assert not ResourceVersion.objects.filter(patient_id=stranger_pid).exists()


# --- The FHIR API refuses with an OperationOutcome ----------------------------------------------


def test_the_api_answers_409_naming_the_mismatch(client, alejandro):
    _t, raw = accounts.create_token(alejandro)
    auth = {"Authorization": f"Bearer {raw}"}
    before = _counts()
    r = client.post(
        "/fhir/R4", data=KEITHA.read_bytes(), content_type="application/fhir+json", headers=auth
    )
    assert r.status_code == 409
    issue = r.json()["issue"][0]
    assert r.json()["resourceType"] == "OperationOutcome"
    assert issue["severity"] == "error" and issue["code"] == "business-rule"
    assert issue["details"]["coding"][0]["code"] == "other-person"
    assert {"Patient.birthDate", "Patient.name"} <= set(issue["expression"])
    assert "Keitha Turner" in issue["diagnostics"] and "?person=mine" in issue["diagnostics"]
    assert _counts() == before
    r = client.post(
        "/fhir/R4?person=mine",
        data=KEITHA.read_bytes(),
        content_type="application/fhir+json",
        headers=auth,
    )
    assert r.status_code == 200
    assert r.json()["entry"][0]["response"]["status"] == "200 OK"  # merged into mine
    assert _me(alejandro)["birthDate"] == "1963-10-05"


def test_the_api_sends_a_file_to_a_relatives_record_the_caller_manages(client, alejandro):
    child = proxies.add_child(alejandro, dt.date.today() - dt.timedelta(days=365 * 8))
    stranger = accounts.patient_of(citizen("stranger@example.org")).pk
    _t, raw = accounts.create_token(alejandro)
    auth = {"Authorization": f"Bearer {raw}"}

    def post(query):
        return client.post(
            f"/fhir/R4{query}",
            data=KEITHA.read_bytes(),
            content_type="application/fhir+json",
            headers=auth,
        )

    assert post("?person=whoever").status_code == 400
    assert post(f"?patient=Patient/{stranger}").status_code == 404  # not theirs to manage
    assert not ResourceVersion.objects.filter(patient_id=stranger).exists()
    r = post(f"?patient=Patient/{child.pk}")
    assert r.status_code == 200, r.content[:300]
    assert ResourceVersion.objects.filter(patient_id=child.pk, resource_type="Patient").exists()
    assert _me(alejandro)["name"][0]["family"] == "Riojas"


# --- The CLI refuses and says how to decide -----------------------------------------------------


@pytest.mark.no_db
def test_the_cli_refuses_until_told_whose_it_is(tmp_path):
    fresh_install(tmp_path)
    carnet(tmp_path, "user", "create", "al@example.org", input="a long enough passphrase\n")
    carnet(tmp_path, "import", str(ALEJANDRO), "--owner", "al@example.org", "--quiet")
    out = carnet(
        tmp_path, "import", str(KEITHA), "--owner", "al@example.org", "--quiet", check=False
    )
    assert out.returncode != 0
    assert "refused, nothing was written" in out.stderr and "Keitha Turner" in out.stderr
    assert "--as-me" in out.stderr and "--into" in out.stderr
    out = carnet(tmp_path, "import", str(KEITHA), "--owner", "al@example.org", "--quiet", "--as-me")
    assert "resources imported into record" in out.stdout
    exported = tmp_path / "out.json"
    carnet(tmp_path, "export", "--patient", "al@example.org", "-o", str(exported))
    patient = next(
        e["resource"]
        for e in json.loads(exported.read_text())["entry"]
        if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["birthDate"] == "1963-10-05"

    # A relative's record: only one the owner manages (here, a child's record).
    child = carnet(
        tmp_path,
        "shell",
        "-c",
        "import datetime as dt; from carnet.access import proxies; "
        "from carnet.accounts.models import User; "
        "u = User.objects.get(email='al@example.org'); "
        "print(proxies.add_child(u, dt.date.today() - dt.timedelta(days=3000)).pk)",
    ).stdout.split()[-1]
    carnet(tmp_path, "user", "create", "other@example.org", input="a long enough passphrase\n")
    out = carnet(
        tmp_path, "import", str(KEITHA), "--owner", "al@example.org", "--into",
        "other@example.org", "--quiet", check=False,
    )  # fmt: skip
    assert out.returncode != 0 and "no record that the owner manages" in out.stderr
    out = carnet(
        tmp_path, "import", str(KEITHA), "--owner", "al@example.org", "--into", child, "--quiet"
    )
    assert f"resources imported into record {child} " in out.stdout
