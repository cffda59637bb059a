"""Break the glass, the emergency card, refusal in advance, flags and the access_event signal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from carnet.access import audit, emergency, grants, masks, signals
from carnet.access.models import AuditEntry, EmergencySettings
from carnet.access.services import Actor, NotFound

from .access_records import can_read, record_with_items, visible_ids
from .people import citizen, practitioner


@pytest.fixture
def events():
    got = []

    def receiver(sender, **kw):
        got.append(kw)

    signals.access_event.connect(receiver)
    yield got
    signals.access_event.disconnect(receiver)


def test_breaking_the_glass_opens_the_emergency_dataset_flags_it_and_tells_the_person(
    django_capture_on_commit_callbacks, events
):
    owner, pid, made = record_with_items()
    doc = practitioner("Dr Urgentiste")
    them = Actor.of_user(doc)
    masks.set_mask(Actor.of_user(owner), pid, *made["knee"], hide_in_emergency=True)
    assert visible_ids(them, pid) == set()
    with django_capture_on_commit_callbacks(execute=True):
        session = emergency.break_glass(them, pid, "unconscious, brought by the fire brigade")
    assert session.expires_at - session.started_at == timedelta(hours=4)
    assert {"event": "emergency", "urgent": True, "patient_id": pid}.items() <= events[-1].items()
    assert events[-1]["actor_label"] == "Dr Urgentiste"
    seen = visible_ids(them, pid)
    # The dataset (allergy, active problems, treatments, blood group, identity) even if
    # sensitive; other unmasked items up to R; never very restricted ones outside it.
    for name in ("patient", "allergy", "diabetes", "depression", "insulin", "blood_group"):
        assert made[name] in seen
    assert made["glucose"] in seen and made["flu_vaccine"] in seen
    assert made["knee"] not in seen and made["secret_note"] not in seen
    flagged = AuditEntry.objects.filter(patient_id=pid, flagged=True)
    assert flagged.filter(action="break_glass").count() == 1
    assert flagged.filter(action="read", purpose="emergency").count() == 1
    assert emergency.sessions(Actor.of_user(owner), pid)[0]["reason"].startswith("unconscious")
    assert audit.verify_chain(pid)[1] is None


def test_it_needs_a_reason_and_a_practitioner():
    owner, pid, _made = record_with_items()
    with pytest.raises(NotFound):
        emergency.break_glass(Actor.of_user(practitioner()), pid, "  ")
    with pytest.raises(NotFound):
        emergency.break_glass(Actor.of_user(citizen()), pid, "I am his neighbour")
    assert (
        AuditEntry.objects.filter(patient_id=pid, action="break_glass", decision="deny").count()
        == 2
    )


def test_the_person_can_refuse_emergency_access_in_advance():
    owner, pid, made = record_with_items()
    doc = practitioner()
    emergency.break_glass(Actor.of_user(doc), pid, "chest pain")
    assert can_read(Actor.of_user(doc), made["allergy"])
    emergency.set_refusal(Actor.of_user(owner), pid, True)  # also ends the open session
    assert not can_read(Actor.of_user(doc), made["allergy"])
    with pytest.raises(NotFound):
        emergency.break_glass(Actor.of_user(doc), pid, "chest pain")
    denied = AuditEntry.objects.filter(patient_id=pid, action="break_glass", decision="deny")
    assert denied.count() == 1


def test_emergency_access_expires(monkeypatch):
    owner, pid, made = record_with_items()
    doc = practitioner()
    session = emergency.break_glass(Actor.of_user(doc), pid, "fall")
    monkeypatch.setattr(timezone, "now", lambda: session.expires_at)
    assert not can_read(Actor.of_user(doc), made["allergy"])


def test_asking_twice_does_not_extend_nor_notify_twice(django_capture_on_commit_callbacks, events):
    _owner, pid, _made = record_with_items()
    doc = Actor.of_user(practitioner())
    with django_capture_on_commit_callbacks(execute=True):
        first = emergency.break_glass(doc, pid, "fall")
        again = emergency.break_glass(doc, pid, "fall")
    assert first.pk == again.pk and first.expires_at == again.expires_at
    assert [e["event"] for e in events] == ["emergency"]
    assert AuditEntry.objects.filter(patient_id=pid, action="break_glass").count() == 2


def test_the_emergency_card_opens_with_a_logged_in_practitioner_and_can_be_reset(events):
    owner, pid, made = record_with_items()
    me = Actor.of_user(owner)
    raw = emergency.reset_card(me, pid)
    stored = EmergencySettings.objects.get(patient_id=pid)
    assert raw not in (stored.card_digest, stored.card_hint) and len(stored.card_digest) == 64
    with pytest.raises(NotFound):
        emergency.open_with_card(Actor.of_user(citizen()), raw)  # a card alone opens nothing
    doc, other = (
        practitioner("Dr Samu"),
        practitioner("Dr Smur"),
    )
    assert emergency.open_with_card(Actor.of_user(doc), raw) == pid
    assert can_read(Actor.of_user(doc), made["allergy"])
    entry = AuditEntry.objects.filter(patient_id=pid, action="break_glass", decision="permit")
    assert entry.get().flagged
    # The same card used again by someone else is a separate, audited access.
    assert emergency.open_with_card(Actor.of_user(other), raw) == pid
    assert entry.count() == 2
    new = emergency.reset_card(me, pid)
    with pytest.raises(NotFound):
        emergency.open_with_card(Actor.of_user(practitioner("Dr Late")), raw)  # replayed old card
    with pytest.raises(NotFound):
        emergency.open_with_card(Actor.of_user(doc), new[:-2] + "xx")
    assert emergency.settings_of(me, pid)["card_hint"] == new[12:16]


def test_changing_the_flag_of_an_entry_is_detected():
    _owner, pid, _made = record_with_items()
    emergency.break_glass(Actor.of_user(practitioner()), pid, "fall")
    e = AuditEntry.objects.get(patient_id=pid, action="break_glass")
    AuditEntry.objects.filter(pk=e.pk).update(flagged=False)
    assert audit.verify_chain(pid)[1].seq == e.seq
    AuditEntry.objects.filter(pk=e.pk).update(flagged=True)
    other = AuditEntry.objects.filter(patient_id=pid, flagged=False).first()
    AuditEntry.objects.filter(pk=other.pk).update(flagged=True)
    assert audit.verify_chain(pid)[1].seq == other.seq


def test_signals_are_sent_on_commit_only(django_capture_on_commit_callbacks, events):
    owner, pid, made = record_with_items()
    doc = practitioner()
    me = Actor.of_user(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        g = grants.share(me, pid, doc.pk, categories=["results"])
    assert events == [] and callbacks
    with django_capture_on_commit_callbacks(execute=True):
        for cb in callbacks:
            cb()
        can_read(Actor.of_user(doc), made["glucose"])  # first look
        can_read(Actor.of_user(doc), made["glucose"])  # not first any more
        grants.revoke(me, pid, g.pk)
    assert [(e["event"], e["urgent"]) for e in events] == [
        ("grant_created", False),
        ("first_look", False),
        ("grant_revoked", False),
    ]
    assert events[1]["actor_label"] == str(doc)


def test_a_failing_receiver_does_not_undo_the_access(django_capture_on_commit_callbacks):
    def broken(sender, **kw):
        raise RuntimeError("SMS gateway down")

    owner, pid, made = record_with_items()
    doc = practitioner()
    signals.access_event.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            emergency.break_glass(Actor.of_user(doc), pid, "fall")
    finally:
        signals.access_event.disconnect(broken)
    assert can_read(Actor.of_user(doc), made["allergy"])
