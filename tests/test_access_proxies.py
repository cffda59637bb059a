"""Proxies (a relative acting for the person) and parents managing a minor's record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from carnet.access import audit, masks, proxies
from carnet.access.masks import years_before
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts.models import Patient
from carnet.records import exports, services

from .access_records import can_read, items, record_with_items, visible_ids
from .people import citizen, practitioner


def test_a_daughter_reads_her_fathers_treatments_until_he_revokes(
    django_capture_on_commit_callbacks,
):
    father, pid, made = record_with_items(citizen())
    daughter = citizen()
    me, her = Actor.of_user(father), Actor.of_user(daughter)
    assert visible_ids(her, pid) == set()
    p = proxies.add_proxy(me, pid, daughter.pk, permissions=["read", "appointments"])
    assert can_read(her, made["insulin"])
    assert not can_read(her, made["depression"])  # sensitive: not opened to relatives
    entry = AuditEntry.objects.filter(patient_id=pid, actor_id=daughter.pk).last()
    details = audit.history(pid, limit=1)[0]["details"]
    assert entry.purpose == "proxy" and details["acting_for"] == str(father)
    assert proxies.may(daughter, pid, "appointments") and not proxies.may(daughter, pid, "messages")
    with pytest.raises(NotFound):
        exports.export_bundle(her, pid, Purpose.PROXY)  # reading is not taking the record
    with pytest.raises(NotFound):
        proxies.add_proxy(her, pid, citizen().pk)  # a reader does not manage consent
    assert [i.patient_id for i in proxies.represented_by(daughter)] == [pid]
    assert proxies.revoke_proxy(me, pid, p.pk)
    assert not can_read(her, made["insulin"]) and visible_ids(her, pid) == set()


def test_a_proxy_until_a_date_ends_then(monkeypatch):
    father, pid, made = record_with_items()
    until = timezone.now() + timedelta(days=7)
    proxies.add_proxy(Actor.of_user(father), pid, (son := citizen()).pk, until=until)
    monkeypatch.setattr(timezone, "now", lambda: until)
    assert not can_read(Actor.of_user(son), made["insulin"])


def test_legal_proxies_are_not_ended_by_a_click_and_bases_are_closed():
    father, pid, _made = record_with_items()
    me = Actor.of_user(father)
    tutor = citizen()
    p = proxies.add_proxy(me, pid, tutor.pk, permissions=["read", "manage"], basis="court")
    assert not proxies.revoke_proxy(me, pid, p.pk)
    assert proxies.revoke_proxy(Actor.operator(), pid, p.pk)
    for basis in ("bank", "insurer", "employer", "parent"):
        with pytest.raises(proxies.ProxyRefused):
            proxies.add_proxy(me, pid, tutor.pk, basis=basis)
    with pytest.raises(proxies.ProxyRefused):
        proxies.add_proxy(me, pid, practitioner().pk)  # a proxy is a relative's account


def test_parents_manage_their_childs_record_and_a_minor_of_15_keeps_care_confidential():
    mother, father = citizen(), citizen()
    today = date.today()
    child = proxies.add_child(mother, today.replace(year=today.year - 16))
    pid = child.pk
    assert Patient.objects.get(pk=pid).owner is None
    mum = Actor.of_user(mother)
    proxies.add_parent(mum, pid, father.pk)
    dad = Actor.of_user(father)
    # Parents manage: they add items, share with the paediatrician, read everything.
    patient = services.create(mum, pid, {"resourceType": "Patient"}, Purpose.PROXY)
    res = items(f"Patient/{patient['id']}")
    contraception = services.create(
        mum,
        pid,
        {
            **res["glucose"],
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "169553002"}]},
        },
        Purpose.PROXY,
    )
    ref = ("Observation", contraception["id"])
    assert can_read(dad, ref)
    doc = practitioner("Dr Pediatre")
    from carnet.access import grants

    grants.set_referent(mum, pid, doc.pk)
    # The minor's opposition, recorded by the doctor: parents no longer see that item.
    masks.keep_from_parents(Actor.of_user(doc), pid, *ref)
    assert not can_read(dad, ref) and not can_read(mum, ref)
    assert can_read(Actor.of_user(doc), ref)
    with pytest.raises(NotFound):
        masks.keep_from_parents(mum, pid, *ref, confidential=False)  # parents cannot lift it
    # Export (parents manage the record) never contains the confidential item.
    bundle = exports.export_bundle(mum, pid, Purpose.PROXY)
    assert contraception["id"] not in {e["resource"]["id"] for e in bundle["entry"]}


def test_a_child_under_15_cannot_hide_care_from_parents():
    mother = citizen()
    today = date.today()
    child = proxies.add_child(mother, today.replace(year=today.year - 12))
    mum = Actor.of_user(mother)
    patient = services.create(mum, child.pk, {"resourceType": "Patient"}, Purpose.PROXY)
    doc = practitioner()
    from carnet.access import grants

    grants.set_referent(mum, child.pk, doc.pk)
    with pytest.raises(NotFound):
        masks.keep_from_parents(Actor.of_user(doc), child.pk, "Patient", patient["id"])


def test_parental_authority_ends_at_18(monkeypatch):
    mother = citizen()
    born = date.today() - timedelta(days=365 * 17)
    child = proxies.add_child(mother, born)
    mum = Actor.of_user(mother)
    patient = services.create(mum, child.pk, {"resourceType": "Patient"}, Purpose.PROXY)
    end = proxies.majority(born)
    assert years_before(end, 18).date() == born
    monkeypatch.setattr(timezone, "now", lambda: end)
    assert not can_read(mum, ("Patient", patient["id"]))
    with pytest.raises(proxies.ProxyRefused):
        proxies.add_child(mother, date(1990, 1, 1))
