from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from .fhir_api import citizen, source


def test_metadata_is_a_valid_r4_capability_statement_without_a_token(client):
    r = client.get("/fhir/R4/metadata")

    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    body = r.json()
    CapabilityStatement.model_validate(body)  # raises if it is not valid FHIR
    assert body["resourceType"] == "CapabilityStatement"
    assert body["fhirVersion"] == "4.0.1"
    assert "json" in body["format"]
    assert body["implementation"]["url"] == "http://testserver/fhir/R4"
    rest = body["rest"][0]
    assert rest["mode"] == "server"
    assert [i["code"] for i in rest["interaction"]] == ["transaction"]
    by_type = {res["type"]: res for res in rest["resource"]}
    # Every type of the shared Synthea bundles is listed.
    assert {r["resourceType"] for r in source()} <= set(by_type)
    obs = by_type["Observation"]
    assert {i["code"] for i in obs["interaction"]} == {"read", "search-type", "history-instance"}
    assert {p["name"] for p in obs["searchParam"]} == {
        "patient",
        "code",
        "date",
        "category",
        "_count",
        "_offset",
    }
    assert [op["name"] for op in by_type["Patient"]["operation"]] == ["everything"]
    assert [i["code"] for i in by_type["Practitioner"]["interaction"]] == ["read"]
    assert "searchParam" not in by_type["Organization"]


def test_metadata_only_answers_get(client):
    r = client.delete("/fhir/R4/metadata")
    assert r.status_code == 405
    assert r.json()["resourceType"] == "OperationOutcome"


def test_openapi_documents_every_operation(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    paths = schema["paths"]
    expected = {
        ("/fhir/R4/metadata", "get"),
        ("/fhir/R4", "post"),
        ("/fhir/R4/{resource_type}", "get"),
        ("/fhir/R4/{resource_type}/{resource_id}", "get"),
        ("/fhir/R4/{resource_type}/{resource_id}/_history", "get"),
        ("/fhir/R4/Patient/{patient_id}/$everything", "get"),
        ("/fhir/R4/AuditEvent", "get"),
    }
    documented = {(p, m) for p, ops in paths.items() for m in ops}
    assert documented == expected  # nothing missing, no stray 405 handlers shown
    for path, method in expected:
        op = paths[path][method]
        assert op["summary"] and len(op["description"]) > 40, path
        assert "200" in op["responses"], path
        if path != "/fhir/R4/metadata":
            assert {"400", "401"} <= set(op["responses"]), path
            assert op["security"], path
    assert "security" not in paths["/fhir/R4/metadata"]["get"]
    search = paths["/fhir/R4/{resource_type}"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {
        "patient",
        "code",
        "date",
        "category",
        "_count",
        "_offset",
    }
    assert "404" in search["responses"]
    assert "not yours" in schema["info"]["description"]
    assert "exactly as a patient that does not exist" in search["description"]
    post = paths["/fhir/R4"]["post"]
    assert {"413", "400"} <= set(post["responses"])
    assert "application/fhir+json" in post["requestBody"]["content"]
    bearer = schema["components"]["securitySchemes"]["PersonalAccessToken"]
    assert bearer["type"] == "http" and bearer["scheme"] == "bearer"


def test_docs_page_answers(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert b"openapi.json" in r.content


def test_unexpected_errors_are_operation_outcomes_not_html(client, monkeypatch):
    from carnet.records import services

    _user, auth = citizen("alice@example.org")

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "search", boom)
    r = client.get("/fhir/R4/Observation", headers=auth)
    assert r.status_code == 500
    assert r["Content-Type"].startswith("application/fhir+json")
    body = r.json()
    assert body["issue"][0]["code"] == "exception"
    assert "secret" not in r.content.decode()
