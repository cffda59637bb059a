"""A person turns contributing on and off; only contributors ever count."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from carnet.access import audit
from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.records.erasure import erase_patient
from carnet.research import queries
from carnet.research.models import Contribution, Fact

from . import people
from .research import FLU, person_with_flu


def _count(today=None) -> int:
    q = queries.question({"resource": "Condition", "code": FLU, "epsilon": 0.5})
    counts, _ = queries.true_counts(q, "research", today or timezone.localdate())
    return sum(counts.values())


def _put(client, headers, **body):
    return client.put(
        "/api/research/consent", json.dumps(body), content_type="application/json", **headers
    )


def test_contributing_is_off_until_the_person_turns_it_on(client):
    user, pid, headers = person_with_flu()
    assert client.get("/api/research/consent", **headers).json() == {
        "research": False,
        "watch": False,
    }
    assert _count() == 0 and not Fact.objects.exists()
    assert _put(client, headers, research=True).json() == {"research": True, "watch": False}
    assert _count() == 1
    # The copy holds no name, no free text, no exact date.
    row = Fact.objects.get()
    flat = json.dumps(list(Fact.objects.values().get().values()), default=str)
    assert "Secret" not in flat and row.week.count("-W") == 1 and row.departement == "31"
    # Reading the record for research is in the person's access history.
    assert any(e["purpose"] == "research" for e in audit.history(pid))


def test_a_non_contributor_never_counts(client):
    _u, _pid, headers = person_with_flu()
    _put(client, headers, watch=True)  # the epidemic watch only
    person_with_flu()  # never chose
    assert _count() == 0


def test_withdrawal_removes_the_person_from_later_answers(client):
    _u, _pid, a = person_with_flu()
    _u, _pid, b = person_with_flu()
    _put(client, a, research=True)
    _put(client, b, research=True, watch=True)
    assert _count() == 2
    _put(client, a, research=False)
    assert _count() == 1 and not Contribution.objects.filter(research=True, watch=False).exists()
    _put(client, b, research=False)
    assert _count() == 0
    assert Fact.objects.count() == 1  # b still counts in the epidemic watch only


def test_closing_the_account_empties_the_copy(client):
    user, pid, headers = person_with_flu()
    _put(client, headers, research=True)
    assert Fact.objects.exists()
    erase_patient(Actor.of_user(user), pid, Purpose.SELF)
    assert not Fact.objects.exists() and not Contribution.objects.exists()


def test_the_person_chooses_on_a_page_in_plain_words(client):
    user = people.citizen()
    client.force_login(user)
    people.english(client)
    page = client.get(reverse("research:my_choice")).content.decode()
    assert "What is never shared" in page and "Off: your data does not count." in page
    client.post(reverse("research:my_choice"), {"purpose": "watch", "on": "1"})
    pid = accounts.patient_of(user).pk
    assert Contribution.objects.get(patient_id=pid).watch is True
    client.post(reverse("research:my_choice"), {"purpose": "watch", "on": "0"})
    assert not Contribution.objects.filter(patient_id=pid).exists()


def test_the_account_page_leads_to_the_choice(client):
    client.force_login(people.citizen())
    people.english(client)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("research:my_choice") in page


def test_a_changed_record_is_refreshed_by_the_daily_round(client):
    from carnet.records import services as records
    from carnet.research import copy

    user, pid, headers = person_with_flu()
    _put(client, headers, research=True)
    assert not Contribution.objects.get(patient_id=pid).stale
    me = next(
        r["id"]
        for r in records.everything(Actor.of_user(user), pid, Purpose.SELF)
        if r["resourceType"] == "Patient"
    )
    records.create(
        Actor.of_user(user),
        pid,
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": "http://www.whocc.no/atc", "code": "J07BB02"}]},
            "occurrenceDateTime": timezone.localdate().isoformat(),
            "patient": {"reference": f"Patient/{me}"},
        },
        Purpose.SELF,
    )
    assert copy.refresh_stale() == 0  # refreshed today: the import of the item had no signal
    Contribution.objects.update(refreshed_at=timezone.now() - timedelta(hours=25))
    assert copy.refresh_stale() == 1
    assert Fact.objects.filter(resource_type="Immunization").count() == 1
