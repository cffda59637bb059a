"""What the advisor may do is what the person chose, decided by the policy (purpose
``assistance``): no session, an ended or expired one, or a scope not chosen is a deny, and
the advisor never sees more than the chosen scopes (nothing sensitive, ever). Checked on the
pages, and as properties of the policy (Hypothesis)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from carnet.access import policy
from carnet.access.policy import AssistFact, Facts
from carnet.access.services import Actor

from .helppoint import desk_advisor, henri, open_session
from .people import english

ADVISOR = Actor(7, "advisor", "Claire D.", "France Services de Muret")
SCOPES = ("read", "import", "reminders", "share")
ACTIONS = (
    "read", "search", "create", "update", "delete", "import", "export", "erase", "grant",
    "revoke", "mask", "settings", "break_glass", "appointments", "messages", "read_messages",
)  # fmt: skip
NEEDS = {
    "read": "read",
    "search": "read",
    "import": "import",
    "update": "reminders",
    "grant": "share",
}


@settings(max_examples=60, deadline=None)
@given(action=st.sampled_from(ACTIONS), ended=st.booleans())
def test_no_live_session_denies_everything(action, ended):
    facts = Facts(exists=True, had_assistance=ended)
    assert not policy.evaluate(ADVISOR, facts, action, "assistance")


@settings(max_examples=80, deadline=None)
@given(
    action=st.sampled_from(ACTIONS),
    chosen=st.frozensets(st.sampled_from(SCOPES)),
)
def test_a_scope_not_chosen_denies(action, chosen):
    facts = Facts(exists=True, assistance=AssistFact(1, chosen))
    decision = policy.evaluate(ADVISOR, facts, action, "assistance")
    assert bool(decision) == (NEEDS.get(action) in chosen)
    if decision:
        assert decision.view.max_level == "N" and not decision.view.all


@settings(max_examples=40, deadline=None)
@given(role=st.sampled_from(("citizen", "practitioner", "researcher", "operator")))
def test_only_advisors_assist(role):
    actor = Actor(7, role, "x")
    facts = Facts(exists=True, assistance=AssistFact(1, frozenset(SCOPES)))
    assert not policy.evaluate(actor, facts, "read", "assistance")


def test_an_ended_or_expired_session_loads_as_no_session():
    from django.utils import timezone

    person, pid = henri()
    adv = desk_advisor()
    live = open_session(person, adv, ["read"])
    actor = live.actor()
    assert policy.load_facts(actor, pid, timezone.now()).assistance is not None
    later = policy.load_facts(actor, pid, live.expires_at + timedelta(seconds=1))
    assert later.assistance is None and later.had_assistance


def test_the_pages_follow_the_choice(client):
    english(client)
    person, pid = henri()
    adv = desk_advisor()
    open_session(person, adv, ["import"])  # import only: no reminders, no sharing
    client.force_login(adv)
    page = client.get(reverse("helppoint:assist")).content.decode()
    assert "import-title" in page and "reminder-title" not in page and "read-title" not in page
    refused = client.post(
        reverse("helppoint:reminder"), {"title": "x", "day": "2027-03-14", "at": "09:30"}
    )
    assert refused.status_code == 403
    shared = client.post(
        reverse("helppoint:share"),
        {"rpps": "10000000011", "categories": ["problems"], "duration": "consultation"},
    )
    assert shared.status_code in (400, 403)
    from carnet.access.models import Grant

    assert not Grant.objects.filter(patient_id=pid).exists()


def test_within_the_choice_the_advisor_imports_and_shares(client):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from carnet.access.models import AuditEntry, Grant

    from .people import practitioner

    english(client)
    person, pid = henri()
    doctor = practitioner("Dr Jolimont", "médecin", rpps="10000000099")
    adv = desk_advisor()
    open_session(person, adv, ["import", "share"])
    client.force_login(adv)
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "gender": "male"}},
            {
                "fullUrl": "urn:uuid:i",
                "resource": {
                    "resourceType": "Immunization",
                    "status": "completed",
                    "vaccineCode": {"text": "Grippe"},
                    "patient": {"reference": "urn:uuid:p"},
                    "occurrenceDateTime": "2024-10-01",
                },
            },
        ],
    }
    upload = SimpleUploadedFile("vaccins.json", json.dumps(bundle).encode(), "application/json")
    imported = client.post(reverse("helppoint:import"), {"file": upload})
    assert imported.status_code == 302, imported.content.decode()[:3000]
    shared = client.post(
        reverse("helppoint:share"),
        {"rpps": "10000000099", "categories": ["vaccines"], "duration": "consultation"},
    )
    assert shared.status_code == 302
    grant = Grant.objects.get(patient_id=pid, grantee_id=doctor.pk)
    assert grant.max_level == "N" and grant.mode == "read"  # never sensitive, never writing
    done = AuditEntry.objects.filter(patient_id=pid, actor_id=adv.pk, decision="permit")
    assert {"import", "grant"} <= set(done.values_list("action", flat=True))


def test_decide_on_a_real_session_matches_the_model_over_its_life():
    """Through ``decide`` and the database: live and chosen permits, expired or ended denies."""
    from carnet.access import assistance
    from carnet.access.services import decide

    person, pid = henri()
    adv = desk_advisor()
    live = open_session(person, adv, ["read", "reminders"])
    ended = [False]

    @settings(max_examples=40, deadline=None)
    @given(minutes=st.integers(0, 45), action=st.sampled_from(ACTIONS))
    def check(minutes, action):
        at = live.started_at + timedelta(minutes=minutes)
        decision = decide(live.actor(), pid, action, "assistance", now=at)
        chosen = NEEDS.get(action) in {"read", "reminders"}
        assert bool(decision) == (not ended[0] and minutes < 30 and chosen)

    check()
    assistance.end_all_of(adv.pk)
    ended[0] = True
    check()
