"""Nothing about a person's health is stored in clear: search the raw database bytes."""

import pytest
from django.apps import apps

from .cli import carnet, fresh_install
from .helpers import import_as_new_record, load, synthea


def _secrets_of(bundle: dict) -> list[str]:
    """Names, codes, text and values of the person, as they would appear in clear."""
    terms = set()
    for entry in bundle["entry"]:
        res = entry["resource"]
        if res["resourceType"] == "Patient":
            name = res["name"][0]
            terms |= {name["family"], name["given"][0]}
            terms.add(res["address"][0]["line"][0])
            for ident in res.get("identifier", []):
                if len(ident.get("value", "")) > 6:
                    terms.add(ident["value"])
        elif res["resourceType"] == "Condition":
            coding = res["code"]["coding"][0]
            terms |= {coding["code"], coding["display"]}
        elif res["resourceType"] == "Observation" and "valueQuantity" in res:
            terms.add(f"{res['valueQuantity']['value']}")
            terms.add(res["code"]["coding"][0]["display"])
        elif res["resourceType"] == "MedicationRequest" and "medicationCodeableConcept" in res:
            terms.add(res["medicationCodeableConcept"]["coding"][0]["display"])
    return sorted(t for t in terms if len(t) >= 5)


@pytest.mark.no_db
def test_it_leaves_no_health_datum_in_the_sqlite_files(tmp_path):
    path = synthea("Abdul")
    bundle = load(path)
    fresh_install(tmp_path)
    carnet(tmp_path, "import", str(path), "--quiet")
    terms = _secrets_of(bundle)
    assert len(terms) > 20
    files = [
        p for p in tmp_path.rglob("*") if p.is_file() and p.name not in ("master.key", "secret.key")
    ]
    raw = b"".join(p.read_bytes() for p in files)
    assert len(raw) > 100_000, "the data was written"
    found = [t for t in terms if t.encode() in raw or t.encode("utf-16-le") in raw]
    assert found == []


def test_it_keeps_only_ciphertext_in_every_table():
    # The same check through the ORM, so that it also runs against PostgreSQL.
    bundle = load(synthea("Abdul"))
    import_as_new_record(synthea("Abdul"))
    terms = [t.encode() for t in _secrets_of(bundle)]
    dump = []
    for model in apps.get_models():
        if model._meta.app_label in ("records", "access", "accounts", "vault"):
            manager = model.objects.using(
                "keystore" if model._meta.app_label == "vault" else "default"
            )
            for row in manager.all().values():
                for value in row.values():
                    dump.append(
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
    blob = b"\n".join(dump)
    shared = b"".join(
        str(v).encode()
        for v in apps.get_model("records", "SharedResource").objects.values_list("body")
    )
    # Practitioners and organisations are public directory data; the person's data is not.
    assert [t for t in terms if t in blob and t not in shared] == []
