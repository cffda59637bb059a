"""The person chooses to show their adherence to their care team; off by default, 404 when off."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.access import audit, grants
from carnet.access.services import Actor
from carnet.reminders import services
from carnet.reminders.models import AdherenceSharing

from .bundles import karim_on_metformin
from .fuzzing import examples
from .people import pro


@pytest.fixture
def karim_and_doctor():
    user, pid = karim_on_metformin()
    doctor = pro("Dr Claire Martin", profession="médecin généraliste")
    grants.set_referent(Actor.of_user(user), pid, doctor.pk)
    return user, pid, doctor


def _pro_page(doctor, pid):
    c = Client()
    c.force_login(doctor)
    return c.get(reverse("reminders:pro_adherence", args=[pid]))


def _summaries(pid):
    return [e for e in audit.history(pid) if e["details"].get("what") == "adherence summary"]


def test_off_by_default_the_care_team_gets_not_found(karim_and_doctor):
    _user, pid, doctor = karim_and_doctor
    signed_out = Client().get(reverse("reminders:pro_adherence", args=[pid]))
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    assert not services.adherence_shared(pid)
    assert _pro_page(doctor, pid).status_code == 404
    assert _summaries(pid) == []  # nothing was read


def test_when_the_person_shares_the_doctor_sees_the_summary_and_it_is_audited(
    client, karim_and_doctor
):
    user, pid, doctor = karim_and_doctor
    client.force_login(user)
    page = client.get(reverse("reminders:treatments")).content.decode()
    assert (
        'id="share-adherence"' in page
        and "checked" not in page.split('id="share-adherence"')[1].split(">")[0]
    )
    done = client.post(reverse("reminders:adherence_sharing"), {"share": "on"})
    assert done.status_code == 302 and services.adherence_shared(pid)
    got = _pro_page(doctor, pid)
    body = got.content.decode()
    assert got.status_code == 200
    assert "Metformine 1000 mg" in body
    row = body.split("Metformine 1000 mg")[1].split("</tr>")[0]
    # Yesterday one taken, one skipped; every other scheduled intake unanswered.
    found = re.search(r"<td>1 (?:of|sur) (\d+) \(\d+&nbsp;%\)</td><td>1</td><td>(\d+)</td>", row)
    assert found, row
    assert int(found[1]) >= 58 and int(found[2]) == int(found[1]) - 2
    [entry] = _summaries(pid)
    assert entry["actor_id"] == doctor.pk and entry["purpose"] == "treatment"
    assert entry["decision"] == "permit"
    # The person stops sharing: 404 again.
    client.post(reverse("reminders:adherence_sharing"), {})
    assert not services.adherence_shared(pid)
    assert _pro_page(doctor, pid).status_code == 404


def test_a_practitioner_without_care_access_gets_not_found_even_when_shared(karim_and_doctor):
    user, pid, _doctor = karim_and_doctor
    services.share_adherence(Actor.of_user(user), pid, True)
    stranger = pro("Dr Sans Accès")
    assert _pro_page(stranger, pid).status_code == 404
    denied = [e for e in _summaries(pid) if e["actor_id"] == stranger.pk]
    assert denied and denied[0]["decision"] == "deny"
    citizen_client = Client()
    citizen_client.force_login(user)  # not a practitioner: not even their own record here
    assert citizen_client.get(reverse("reminders:pro_adherence", args=[pid])).status_code == 404


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(choices=st.lists(st.booleans(), max_size=4))
def test_shared_only_by_the_persons_last_choice_and_never_by_default(choices):
    """Property: whatever the sequence of choices, shared == the last one (none: not shared)."""
    from django.db import transaction

    from carnet.accounts import services as accounts

    with transaction.atomic():
        user = accounts.create_user(
            f"prop-{len(choices)}-{''.join('1' if c else '0' for c in choices)}@example.org",
            None,
        )
        pid = accounts.patient_of(user).pk
        assert not services.adherence_shared(pid)
        for choice in choices:
            services.share_adherence(Actor.of_user(user), pid, choice)
        assert services.adherence_shared(pid) is (choices[-1] if choices else False)
        assert AdherenceSharing.objects.filter(patient_id=pid).count() == (1 if choices else 0)
        transaction.set_rollback(True)
