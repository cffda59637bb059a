"""The policy decision point: labels, views, grants, levels, masks, no commercial access.

Also holds the small record builder the other ``test_access_*`` files use: a person with
one item of each kind, made through the real services.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from carnet.access import grants, labels, masks, policy
from carnet.access import services as access
from carnet.access.models import AuditEntry, Grant, Proxy
from carnet.access.services import Action, Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import exports, services
from carnet.records.models import SearchToken

from .access_records import _cc, can_read, items, record_with_items, visible_ids
from .people import citizen, practitioner

# --- Labels ------------------------------------------------------------------------------


def test_labels_come_from_security_tags_and_from_codes():
    subj = {"reference": "Patient/p"}
    got = {k: labels.of_resource({**v, "id": "x"}) for k, v in items("Patient/p").items()}
    assert "sens:PSY" in got["depression"] and "set:emergency" in got["depression"]
    assert "sens:HIV" in got["hiv_test"] and "scope:results" in got["hiv_test"]
    assert got["knee"][:2] == ["scope:measurements", "conf:N"]
    assert "set:emergency" in got["blood_group"] and "set:emergency" in got["insulin"]
    assert "conf:V" in got["secret_note"]
    tagged = {
        "resourceType": "Observation",
        "meta": {"security": [{"system": labels.ACTCODE_SYSTEM, "code": "ETH"}]},
        "subject": subj,
    }
    assert "sens:SUD" in labels.of_resource(tagged)
    icd = {"resourceType": "Condition", "code": _cc(labels.ICD10, "F32.1")}
    assert "sens:PSY" in labels.of_resource(icd)
    assert labels.level_of(["conf:N", "sens:PSY"]) == "R"
    assert labels.level_of(["conf:V"]) == "V"


def test_sensitivity_labels_are_blind_tokens_padded_to_the_same_count():
    _owner, pid, made = record_with_items()
    rows = SearchToken.objects.filter(patient_id=pid, param="label")
    tokens = set(rows.values_list("token", flat=True))
    assert not any(t.startswith(("sens", "conf", "scope", "PSY")) for t in tokens)
    per_item = {}
    for fid in rows.values_list("fhir_id", flat=True):
        per_item[fid] = per_item.get(fid, 0) + 1
    # A sensitive item and a plain one carry the same number of label rows.
    assert per_item[made["depression"][1]] == per_item[made["knee"][1]] == 4
    assert set(services.store.labels_of(pid, *made["depression"])) >= {"sens:PSY", "conf:N"}


# --- Views ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "view,item,allowed",
    [
        (policy.View(max_level="N"), ["scope:results", "conf:N"], True),
        (policy.View(max_level="N"), ["scope:results", "conf:N", "sens:PSY"], False),
        (policy.View(max_level="R"), ["scope:results", "conf:N", "sens:PSY"], True),
        (policy.View(max_level="R"), ["scope:results", "conf:V"], False),
        (policy.View(scopes=frozenset({"vaccines"})), ["scope:results", "conf:N"], False),
        (policy.View(scopes=frozenset({"vaccines"})), ["set:identity", "conf:N"], True),
        (policy.View(), ["scope:results", "conf:N", "mask:referent"], False),
        (
            policy.View(hidden_audiences=frozenset({"self"}), max_level="V"),
            ["conf:V", "mask:referent"],
            True,
        ),
        (policy.View(), ["scope:results"], False),  # unlabelled: nobody else
        (policy.EMERGENCY, ["conf:V", "set:emergency"], True),
        (policy.EMERGENCY, ["conf:V"], False),
        (policy.EMERGENCY, ["conf:N", "set:emergency", "mask:no-emergency"], False),
        (policy.EMERGENCY, ["conf:N", "mask:referent"], False),
        (policy.EMERGENCY, ["conf:N", "sens:SEX"], True),
        (policy.ALL, [], True),
    ],
)
def test_a_view_allows_exactly_its_items(view, item, allowed):
    assert view.allows(item) is allowed


def test_deny_by_default_and_on_error():
    owner, pid, _made = record_with_items()
    stranger = Actor.of_user(practitioner())
    for purpose in Purpose:
        assert not access.decide(stranger, pid, Action.READ, purpose)
    assert not access.decide(Actor.of_user(owner), pid, "read", "marketing")
    assert not access.decide(Actor.of_user(owner), pid, "sell", "self")
    assert not access.decide(Actor.of_user(owner), "not a number", "read", "self")
    assert access.decide(Actor.of_user(owner), pid, "read", "self").view.all


# --- No commercial access, ever -------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["marketing", "insurance", "employment", "banking"])
def test_no_purpose_can_express_commerce(purpose):
    with pytest.raises(ValueError):
        Purpose(purpose)


@pytest.mark.parametrize(
    "model,fields",
    [
        (Grant, {"kind": "insurer", "categories": 1, "max_level": "N", "mode": "read"}),
        (Grant, {"kind": "care", "categories": 1, "max_level": "N", "mode": "sell"}),
        (Grant, {"kind": "care", "categories": 0, "max_level": "N", "mode": "read"}),
        (Proxy, {"proxy_id": 1, "permissions": 1, "basis": "employer", "max_level": "N"}),
        (Proxy, {"proxy_id": 1, "permissions": 64, "basis": "choice", "max_level": "N"}),
    ],
)
def test_the_database_refuses_commercial_grants_and_proxies(model, fields):
    from django.utils import timezone

    extra = {"grantee_id": 1} if model is Grant else {}
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(patient_id=1, created_at=timezone.now(), **extra, **fields)


def test_the_database_refuses_a_commercial_purpose_in_the_history():
    from carnet.access import audit

    owner = citizen()
    pid = accounts.patient_of(owner).pk
    # append retries on integrity errors (a concurrent writer), then gives up: nothing written.
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.append(
            patient_id=pid,
            actor_id=None,
            actor_role="insurer",
            action="read",
            purpose="marketing",
            decision="permit",
        )


# --- Grants ---------------------------------------------------------------------------------


def test_a_grant_shows_its_categories_up_to_its_level_and_nothing_else():
    owner, pid, made = record_with_items()
    physio = practitioner("Dr Kine")
    me, them = Actor.of_user(owner), Actor.of_user(physio)
    assert visible_ids(them, pid) == set()
    grants.share(me, pid, physio.pk, categories=["measurements", "problems"], duration="month")
    seen = visible_ids(them, pid)
    assert seen == {made["patient"], made["knee"], made["diabetes"], made["allergy"]}
    assert not can_read(them, made["depression"])  # mental health: above level N
    assert not can_read(them, made["glucose"])  # results: not shared
    assert can_read(them, made["diabetes"])
    # Counts, totals and searches are filtered the same way.
    counts = services.count_by_type(them, pid, Purpose.TREATMENT)
    assert counts == {"Patient": 1, "Observation": 1, "Condition": 1, "AllergyIntolerance": 1}
    page = services.search(them, pid, "Condition", Purpose.TREATMENT, code=["35489007"])
    assert (page.total, page.resources) == (0, [])
    # Export is the person's right, not a practitioner's.
    with pytest.raises(NotFound):
        exports.export_bundle(them, pid, Purpose.TREATMENT)
    # A wider level shows the sensitive item.
    grants.share(me, pid, physio.pk, categories=["problems"], max_level="R")
    assert can_read(them, made["depression"]) and not can_read(them, made["knee"])


def test_revocation_takes_effect_on_the_next_request():
    owner, pid, made = record_with_items()
    doc = practitioner()
    me, them = Actor.of_user(owner), Actor.of_user(doc)
    g = grants.share(me, pid, doc.pk, categories=labels.CATEGORIES, duration="until_revoked")
    assert can_read(them, made["glucose"])
    assert grants.revoke(me, pid, g.pk) is True
    assert not can_read(them, made["glucose"]) and visible_ids(them, pid) == set()
    assert grants.revoke(me, pid, g.pk) is False


def test_revoke_all_ends_every_practitioner_at_once():
    owner, pid, made = record_with_items()
    a, b, c = (
        practitioner("Dr A"),
        practitioner("Dr B"),
        practitioner("Dr C"),
    )
    me = Actor.of_user(owner)
    grants.share(me, pid, a.pk, categories=["results"])
    grants.set_referent(me, pid, b.pk)
    grants.share(me, pid, c.pk, categories=["vaccines"], mode="write")
    assert all(visible_ids(Actor.of_user(u), pid) for u in (a, b, c))
    assert grants.revoke_all(me, pid) == 3
    assert not any(visible_ids(Actor.of_user(u), pid) for u in (a, b, c))
    assert grants.list_grants(me, pid) == []
    assert len(grants.list_grants(me, pid, include_past=True)) == 3


@pytest.mark.parametrize("offset,live", [(-1, True), (0, False), (1, False)])
def test_a_grant_expiring_exactly_now_is_over(monkeypatch, offset, live):
    from django.utils import timezone

    owner, pid, made = record_with_items()
    doc = practitioner()
    g = grants.share(Actor.of_user(owner), pid, doc.pk, categories=["results"])
    end = g.expires_at
    assert end - g.created_at == timedelta(hours=24)
    monkeypatch.setattr(timezone, "now", lambda: end + timedelta(microseconds=offset))
    assert can_read(Actor.of_user(doc), made["glucose"]) is live


def test_the_referent_sees_everything_but_what_is_only_mine():
    owner, pid, made = record_with_items()
    doc, other = (
        practitioner("Dr Mt"),
        practitioner("Dr Other"),
    )
    me = Actor.of_user(owner)
    grants.set_referent(me, pid, doc.pk)
    grants.share(me, pid, other.pk, categories=labels.CATEGORIES, max_level="V")
    masks.set_mask(me, pid, *made["secret_note"], audience="self")
    masks.set_mask(me, pid, *made["hiv_test"], audience="referent")
    everything = set(made.values())
    assert visible_ids(Actor.of_user(doc), pid) == everything - {made["secret_note"]}
    assert visible_ids(Actor.of_user(other), pid) == everything - {
        made["secret_note"],
        made["hiv_test"],
    }
    assert visible_ids(me, pid) == everything


def test_writing_needs_a_write_grant_within_its_scope():
    owner, pid, made = record_with_items()
    doc = practitioner()
    me, them = Actor.of_user(owner), Actor.of_user(doc)
    vaccine = items(f"Patient/{made['patient'][1]}")["flu_vaccine"]
    grants.share(me, pid, doc.pk, categories=["vaccines"])
    with pytest.raises(NotFound):
        services.create(them, pid, vaccine, Purpose.TREATMENT)
    grants.share(me, pid, doc.pk, categories=["vaccines"], mode="write")
    created = services.create(them, pid, vaccine, Purpose.TREATMENT)
    assert created["resourceType"] == "Immunization"
    knee = items(f"Patient/{made['patient'][1]}")["knee"]
    with pytest.raises(NotFound):
        services.create(them, pid, knee, Purpose.TREATMENT)  # outside the scope


def test_only_the_person_changes_who_sees_what():
    owner, pid, made = record_with_items()
    doc = practitioner()
    with pytest.raises(NotFound):
        grants.share(Actor.of_user(doc), pid, doc.pk, categories=["results"])
    with pytest.raises(NotFound):
        masks.set_mask(Actor.of_user(citizen()), pid, *made["knee"], audience="self")
    with pytest.raises(grants.GrantRefused):
        grants.share(Actor.of_user(owner), pid, owner.pk, categories=["results"])
    with pytest.raises(grants.GrantRefused):
        grants.share(Actor.of_user(owner), pid, doc.pk, categories=["bank statements"])


def test_every_access_permit_and_deny_is_in_the_history():
    owner, pid, made = record_with_items()
    doc = practitioner()
    them = Actor.of_user(doc)
    before = AuditEntry.objects.filter(patient_id=pid).count()
    assert not can_read(them, made["knee"])
    grants.share(Actor.of_user(owner), pid, doc.pk, categories=["measurements"])
    assert can_read(them, made["knee"])
    entries = list(AuditEntry.objects.filter(patient_id=pid, seq__gt=before).order_by("seq"))
    assert [(e.actor_id, e.action, e.decision) for e in entries] == [
        (doc.pk, "read", "deny"),
        (owner.pk, "grant", "permit"),
        (doc.pk, "read", "permit"),
    ]
