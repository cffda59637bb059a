"""Schemathesis against the FHIR API's own OpenAPI schema, in process (WSGI), with a real
personal access token of a citizen whose record holds a Synthea bundle: no answer is a
5xx, and every answer (status code, content type, body) is what the schema declares.

Bounded and derandomized for CI (the "ci" Hypothesis profile, tests/fuzzing.py): the same
25 generated requests per operation on every run, and as many again with the real ids of the
record (so that the 200 answers are checked too). `make fuzz` draws 20 times as many, at random.
Its findings become explicit tests (test_fhir_api_integer_parameters.py: the huge `_offset`).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, example, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carnet.accounts import services as accounts
from carnet.records.models import ResourceVersion
from carnet.wsgi import application

from .fuzzing import examples
from .helpers import citizen, import_file, smallest_synthea

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = examples(25)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Called straight through WSGI, each request would close the database connection at
    # its end (Django's test client turns this off too): the test's transaction is in it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def record():
    user = citizen("fuzz@example.org")
    import_file(user, smallest_synthea())
    _, token = accounts.create_token(user, "schemathesis")
    pid = accounts.patient_of(user).pk
    current = ResourceVersion.objects.filter(patient_id=pid, is_current=True)
    patient = current.get(resource_type="Patient").fhir_id
    observation = current.filter(resource_type="Observation").first().fhir_id
    return token, patient, observation


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert {o.label for o in ops} >= {
        "GET /fhir/R4/metadata",
        "POST /fhir/R4",
        "GET /fhir/R4/{resource_type}",
        "GET /fhir/R4/{resource_type}/{resource_id}",
        "GET /fhir/R4/{resource_type}/{resource_id}/_history",
        "GET /fhir/R4/Patient/{patient_id}/$everything",
    }
    return ops


# What `make fuzz` (or a CI run) once found, replayed first on every run: each one a 500
# before its fix.
FOUND = {
    "GET /fhir/R4/{resource_type}": [
        # issue 13: a huge _offset overflowed the database's integer (a 500, now a 400).
        {"query": {"_offset": 60687449478875213463552, "_count": 3600}},
        {"query": {"_offset": 9223372036854775808}},
        {"query": {"_count": -9223372036854775809}},
    ],
}


def found_ids(operation, path_parameters: dict | None):
    """The regression examples of ``operation``, as Hypothesis @example decorators."""
    decorators = []
    for found in FOUND.get(operation.label, []):
        params = {"resource_type": "Observation", **(path_parameters or {})}
        case = operation.Case(path_parameters=params, query=found["query"])
        decorators.append(example(case=case))
    return decorators


def _run(
    operation, headers: dict, path_parameters: dict | None = None, examples: int = EXAMPLES
) -> int:
    seen = []

    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        seen.append(response.status_code)

    for add in found_ids(operation, path_parameters):
        check = add(check)
    check = given(case=operation.as_strategy(path_parameters=path_parameters))(check)
    check = settings(
        max_examples=examples,
        suppress_health_check=list(HealthCheck),
    )(check)
    check()
    return len(seen)


def test_every_operation_answers_as_its_schema_says(record):
    token, patient, observation = record
    headers = {"Authorization": f"Bearer {token}"}
    ran = 0
    for operation in _operations():
        ran += _run(operation, headers)
        names = {p.name for p in operation.path_parameters}
        if names:
            real = {
                "patient_id": patient,
                "resource_type": "Observation",
                "resource_id": observation,
            }
            ran += _run(operation, headers, {k: v for k, v in real.items() if k in names})
    assert ran > 0


def test_without_a_token_every_operation_answers_as_its_schema_says(record):
    for operation in _operations():
        _run(operation, {}, examples=examples(5))
