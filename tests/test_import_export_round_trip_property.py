"""Property: any record survives import → export → re-import with the same content and the
same reminders.

Hypothesis makes small records (a person, a few measurements, health problems and vaccines
with random values, dates and codes, including codes Carnet does not know and a SNOMED CT
id with a wrong check digit, which is kept with a warning). Each is imported into one
person's record, exported as FHIR, and the export imported into a second, fresh record:
both exports hold the same resources as the file (compared without ids, references
replaced by a fingerprint of their target), and both records get the same reminders.
Deterministic: derandomized.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records import exports, imports
from carnet.reminders import services as reminders

from .helpers import canonical, citizen, original_resources

ON = dt.date(2026, 1, 15)  # the day reminders are computed for, the same for both records
_people = itertools.count()

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CVX = "http://hl7.org/fhir/sid/cvx"
UCUM = "http://unitsofmeasure.org"
MEASURES = [
    ("8867-4", "Heart rate", "/min"),
    ("29463-7", "Body weight", "kg"),
    ("8302-2", "Body height", "cm"),
    ("2339-0", "Glucose", "mg/dL"),
    ("8480-6", "Systolic blood pressure", "mm[Hg]"),
]
CONDITIONS = ["44054006", "38341003", "195662009", "10509002"]
MISTYPED = ["34552-0", "44054007", "3834100"]  # a LOINC code; a wrong check digit; too short
VACCINES = ["140", "08", "115", "133", "03"]
UNKNOWN_SYSTEMS = ["urn:oid:1.2.250.1.213.2.99", "http://example.org/local-codes"]

words = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçôÉ -'", min_size=1, max_size=24)
    .map(str.strip)
    .filter(bool)
)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2025, 12, 31)).map(
    dt.date.isoformat
)
unknown_code = st.tuples(
    st.sampled_from(UNKNOWN_SYSTEMS), st.from_regex(r"[A-Z]{1,3}[0-9]{1,6}", fullmatch=True)
)


def _concept(system: str, code: str, text: str) -> dict:
    return {"coding": [{"system": system, "code": code}], "text": text}


@st.composite
def observations(draw, subject: str) -> dict:
    if draw(st.booleans()):
        code, label, unit = draw(st.sampled_from(MEASURES))
        concept = _concept(LOINC, code, label)
    else:
        system, code = draw(unknown_code)
        label, unit = draw(words), draw(st.sampled_from(["1", "%", "mmol/L"]))
        concept = _concept(system, code, label)
    value = draw(st.integers(0, 40000)) / 100
    return {
        "resourceType": "Observation",
        "status": draw(st.sampled_from(["final", "amended", "preliminary"])),
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": draw(st.sampled_from(["vital-signs", "laboratory"])),
                    }
                ]
            }
        ],
        "code": concept,
        "subject": {"reference": subject},
        "effectiveDateTime": draw(days),
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


@st.composite
def conditions(draw, subject: str) -> dict:
    kind = draw(st.sampled_from(["snomed", "mistyped", "unknown"]))
    if kind == "snomed":
        concept = _concept(SNOMED, draw(st.sampled_from(CONDITIONS)), draw(words))
    elif kind == "mistyped":  # kept with a warning, never a refused file
        concept = _concept(SNOMED, draw(st.sampled_from(MISTYPED)), draw(words))
    else:
        concept = _concept(*draw(unknown_code), draw(words))
    res = {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": draw(st.sampled_from(["active", "resolved"])),
                }
            ]
        },
        "code": concept,
        "subject": {"reference": subject},
        "onsetDateTime": draw(days),
    }
    return res


@st.composite
def immunizations(draw, subject: str) -> dict:
    if draw(st.booleans()):
        concept = _concept(CVX, draw(st.sampled_from(VACCINES)), draw(words))
    else:
        concept = {"text": draw(words)}  # a vaccine named in words only
    return {
        "resourceType": "Immunization",
        "status": "completed",
        "vaccineCode": concept,
        "patient": {"reference": subject},
        "occurrenceDateTime": draw(days),
    }


@st.composite
def records(draw) -> dict:
    """A collection Bundle: one person and up to 8 items about them."""
    n = itertools.count()

    def url() -> str:
        return f"urn:uuid:{uuid.UUID(int=next(n) + 1)}"

    patient_url = url()
    patient = {
        "resourceType": "Patient",
        "id": "p",
        "name": [{"family": draw(words), "given": [draw(words)]}],
        "gender": draw(st.sampled_from(["female", "male", "other", "unknown"])),
        "birthDate": draw(
            st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2025, 6, 1))
        ).isoformat(),
    }
    entries = [{"fullUrl": patient_url, "resource": patient}]
    makers = st.sampled_from([observations, conditions, immunizations])
    for i in range(draw(st.integers(0, 8))):
        res = draw(draw(makers)(patient_url))
        res["id"] = f"r{i}"
        entries.append({"fullUrl": url(), "resource": res})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _into_a_new_record(bundle: dict):
    user = citizen(f"person{next(_people)}@example.org")
    pid = accounts.patient_of(user).pk
    imports.import_bundle(Actor.of_user(user), bundle, patient_id=pid, filename="record.json")
    exported = exports.export_bundle(Actor.of_user(user), pid, Purpose.SELF)
    return user, pid, exported


def _reminders(user, pid) -> list[tuple]:
    overview = reminders.overview(Actor.of_user(user), pid, on=ON)
    return sorted(
        (r.kind, r.rule, str(r.title), r.due, r.status, r.done_on, r.suggestion)
        for r in overview.reminders
    )


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bundle=records())
def test_any_record_survives_export_and_reimport(bundle):
    first_user, first, exported = _into_a_new_record(bundle)
    resources = [e["resource"] for e in exported["entry"]]
    assert len(resources) == len(bundle["entry"]), "every item is kept"
    assert canonical(resources) == canonical(original_resources(bundle))

    second_user, second, again = _into_a_new_record(exported)
    assert canonical([e["resource"] for e in again["entry"]]) == canonical(resources)
    assert _reminders(second_user, second) == _reminders(first_user, first)
