"""Lina, 16, sees her doctor about contraception and asks that her mother not know. The
doctor ticks « Confidentiel vis-à-vis des parents » on the consultation note; Sophie, her
mother, who manages Lina's record, finds no trace of it: not on a page, not in a count, a
search, a reminder, a notification, an export, the summary to print or the history."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from carnet.access import history, masks
from carnet.access.models import AuditEntry, ItemMask
from carnet.access.services import Actor, NotFound, Purpose
from carnet.notify.models import Message
from carnet.records import exports, summary_pdf
from carnet.records import services as records
from carnet.reminders import services as reminders

from .minors import PROXY, SECRET, consult, family


def test_the_doctor_marks_the_consultation_confidential_when_adding_it(client):
    mum, pid, doctor = family(client)
    client.force_login(doctor)
    form = client.get(reverse("records:pro_entry_add", args=[pid, "consultation"])).content
    assert b'name="not_parents"' in form
    item_id = consult(client, doctor, pid)
    assert ItemMask.objects.get(patient_id=pid, fhir_id=item_id).hide_from_parents
    # In Lina's history: a mask change, by the doctor, in the same transaction as the note.
    entry = AuditEntry.objects.filter(patient_id=pid, action="mask").get()
    assert entry.actor_id == doctor.pk and entry.purpose == "treatment"
    # The item page says so, and lets the doctor lift it.
    page = client.get(reverse("records:pro_item", args=[pid, item_id])).content.decode()
    assert 'name="not_parents"' in page and "checked" in page


def test_a_child_under_15_gets_no_such_box(client):
    _mum, pid, doctor = family(client, age_years=12)
    client.force_login(doctor)
    form = client.get(reverse("records:pro_entry_add", args=[pid, "consultation"])).content
    assert b'name="not_parents"' not in form
    item_id = consult(client, doctor, pid, confidential=False)
    page = client.get(reverse("records:pro_item", args=[pid, item_id])).content.decode()
    assert 'name="not_parents"' not in page
    # And posting it anyway hides nothing: the rule starts at 15.
    client.post(reverse("records:pro_item_parents", args=[pid, item_id]), {"not_parents": "on"})
    assert not ItemMask.objects.filter(patient_id=pid, hide_from_parents=True).exists()


def test_the_doctor_marks_it_from_the_item_page_and_can_lift_it(client):
    mum, pid, doctor = family(client)
    item_id = consult(client, doctor, pid, confidential=False)
    url = reverse("records:pro_item_parents", args=[pid, item_id])
    assert client.post(url, {"not_parents": "on"}).status_code == 302
    parent = Actor.of_user(mum)
    assert SECRET not in str(records.everything(parent, pid, PROXY))
    assert client.post(url, {}).status_code == 302
    assert SECRET in str(records.everything(parent, pid, PROXY))


def _pregnancy(doctor, pid):
    """A pregnancy the doctor records, confidential: it would start a follow-up programme."""
    actor = Actor.of_user(doctor)
    patient = records.search(actor, pid, "Patient", Purpose.TREATMENT).resources[0]
    cond = records.create(
        actor,
        pid,
        {
            "resourceType": "Condition",
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }
                ]
            },
            "code": {
                "coding": [{"system": "http://snomed.info/sct", "code": "77386006"}],
                "text": "Grossesse",
            },
            "subject": {"reference": f"Patient/{patient['id']}"},
            "onsetDateTime": (timezone.localdate() - timezone.timedelta(days=40)).isoformat(),
        },
        Purpose.TREATMENT,
    )
    masks.keep_from_parents(actor, pid, "Condition", cond["id"])
    return cond


def test_nothing_hints_at_it_for_the_mother(client):
    mum, pid, doctor = family(client)
    consult(client, doctor, pid, confidential=False, reason="Certificat de sport", text="Apte.")
    mail.outbox.clear()
    told_before = Message.objects.filter(user_id=mum.pk).count()
    secret_id = consult(client, doctor, pid)
    _pregnancy(doctor, pid)
    parent, doc = Actor.of_user(mum), Actor.of_user(doctor)

    # No notification, no email: Sophie is told nothing.
    assert Message.objects.filter(user_id=mum.pk).count() == told_before
    assert mail.outbox == []

    # Counts: the mother's equal the doctor's minus the two hidden items.
    theirs = records.count_by_type(doc, pid, Purpose.TREATMENT)
    hers = records.count_by_type(parent, pid, PROXY)
    assert theirs.get("Procedure", 0) == 2 and hers.get("Procedure", 0) == 1
    assert theirs.get("Condition", 0) == 1 and hers.get("Condition", 0) == 0
    assert (
        records.timeline(parent, pid, PROXY).total
        == records.timeline(doc, pid, Purpose.TREATMENT).total - 2
    )

    # Search: no hit, whatever the word.
    for word in ("contraception", "pilule", "grossesse"):
        assert records.search_text(parent, pid, PROXY, word).total == 0
        assert records.search_text(doc, pid, Purpose.TREATMENT, word).total >= 1

    # One item by its id: not found, as if it did not exist.
    try:
        records.provenance(parent, pid, secret_id, PROXY)
        raise AssertionError("the mother opened the confidential note")
    except NotFound:
        pass

    # Reminders: no pregnancy follow-up for the mother (the doctor's view has one).
    def pregnancy(ov):
        return [r for r in ov.reminders if r.key.startswith("programme:pregnancy:")]

    assert pregnancy(reminders.overview(doc, pid))
    assert not pregnancy(reminders.overview(parent, pid))
    # Exports and the summary to print.
    bundle = exports.export_bundle(parent, pid, PROXY)
    assert secret_id not in str(bundle) and SECRET not in str(bundle)
    assert "Grossesse" not in str(bundle)
    paper = summary_pdf.paper_summary(parent, pid, PROXY)
    assert SECRET not in repr(paper) and "Grossesse" not in repr(paper)

    # The pages she sees while acting for Lina.
    client.force_login(mum)
    client.post(reverse("coffre:act_for", args=[pid]))
    for name in ("coffre:proxy_record", "records:timeline"):
        page = client.get(reverse(name)).content.decode()
        assert "Certificat de sport" in page, name
        assert SECRET not in page and "Grossesse" not in page, name
    found = client.post(reverse("records:search"), {"q": "contraception"}).content.decode()
    assert SECRET not in found
    assert client.get(reverse("records:item", args=[secret_id])).status_code == 404

    # Her view of Lina's access history names no look at, no change of, the hidden items.
    seen = history.page(parent, pid, history.Filters())
    lines = [(e.who, e.action, e.what) for e in seen.entries + seen.flagged]
    assert not [line for line in lines if line[1] == "mask"], lines
    assert not [line for line in lines if line[0] == "Dr Claire Garonne" and line[1] == "create"][
        1:
    ], lines


def test_the_mother_cannot_lift_or_touch_it(client):
    mum, pid, _doctor = family(client)
    secret_id = consult(client, _doctor, pid)
    parent = Actor.of_user(mum)
    for attempt in (
        lambda: masks.keep_from_parents(parent, pid, "Procedure", secret_id, confidential=False),
        lambda: masks.set_mask(parent, pid, "Procedure", secret_id, audience="care_team"),
    ):
        try:
            attempt()
            raise AssertionError("a parent changed the mask of a hidden item")
        except NotFound:
            pass
    client.force_login(mum)
    client.post(reverse("coffre:act_for", args=[pid]))
    answer = client.post(reverse("records:item_parents", args=[secret_id]), {})
    assert answer.status_code == 404
    assert ItemMask.objects.get(patient_id=pid, fhir_id=secret_id).hide_from_parents
