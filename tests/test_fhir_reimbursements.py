"""The FHIR API exposes a person's own reimbursement lines as ExplanationOfBenefit."""

import datetime as dt
from decimal import Decimal

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.insurance import history

from .fhir_api import citizen


def test_an_own_line_reads_as_explanation_of_benefit(client):
    user, auth = citizen("karim@example.org")
    history.add_own(
        Actor.of_user(user),
        accounts.patient_of(user).pk,
        Purpose.SELF,
        day=dt.date(2025, 2, 3),
        what="Endocrinologue",
        who="Dr Martin",
        kind="act",
        cost=Decimal("60"),
        insurer=Decimal("28"),
        complementary=Decimal("15"),
    )
    bundle = client.get("/fhir/R4/ExplanationOfBenefit", headers=auth).json()
    [eob] = [e["resource"] for e in bundle["entry"]]
    assert eob["item"][0]["productOrService"]["text"] == "Endocrinologue"
    assert eob["payment"]["amount"] == {"value": 28.0, "currency": "EUR"}
    assert {t["amount"]["value"] for t in eob["total"]} == {60.0, 15.0}
    assert client.get("/fhir/R4/ExplanationOfBenefit").status_code == 401
