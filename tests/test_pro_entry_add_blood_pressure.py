"""A GP the person lets write adds a blood pressure: saved as the GP's, audited, the person
told without what, and shown to the person as "added by Dr …, médecin généraliste"."""

from __future__ import annotations

from django.urls import reverse

from carnet.access.models import AuditEntry
from carnet.access.services import Actor, Purpose
from carnet.notify import events
from carnet.notify.models import Message
from carnet.records import services as records
from carnet.records.models import ResourceVersion

from .people import english
from .pro_entry import shared_in_writing, url


def _add(client, pid, **values):
    data = {"systolic": "142", "diastolic": "88", "when": "2025-02-03T09:15", **values}
    return client.post(url(pid, "tension"), data)


def test_the_gp_adds_a_blood_pressure_the_person_sees_as_theirs(client):
    owner, pid, gp = shared_in_writing()
    english(client).force_login(gp)
    form = client.get(url(pid, "tension"))
    assert form.status_code == 200
    assert "Upper number (systolic)" in form.content.decode()
    response = _add(client, pid)
    assert response.status_code == 302
    [obs] = records.search(Actor.of_user(owner), pid, "Observation", Purpose.SELF).resources
    assert response["Location"] == reverse("records:pro_item", args=[pid, obs["id"]])
    values = {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in obs["component"]}
    assert values == {"8480-6": 142, "8462-4": 88}
    assert obs["category"][0]["coding"][0]["code"] == "vital-signs"
    # The GP is the performer, through their directory Practitioner; the tag says who typed it.
    [performer] = obs["performer"]
    assert performer["reference"].startswith("Practitioner/")
    assert performer["display"] == "Dr Claire Garonne"
    assert obs["meta"]["tag"][0]["code"] == "entered-by-practitioner"
    # Recorded as the GP's: source, account and profession in the provenance.
    [version] = records.provenance(Actor.of_user(owner), pid, obs["id"], Purpose.SELF)
    assert version.source == "practitioner" and version.recorded_by_id == gp.pk
    assert version.details["profession"] == "médecin généraliste"

    # Audited once, in the person's access history, as an addition for care.
    created = AuditEntry.objects.filter(
        patient_id=pid, actor_id=gp.pk, action="create", decision="permit"
    )
    assert created.count() == 1 and created.get().purpose == "treatment"

    # The person is told that something was added — nothing of what, nor by whom.
    told = Message.objects.filter(user=owner, event="record_added")
    assert told.exists()
    for channel in ("email", "sms", "push"):
        text = " ".join(str(v) for v in events.render("record_added", channel, {}, "fr").values())
        assert "142" not in text and "Garonne" not in text and "tension" not in text.lower()

    # The person's item page and timeline say who added it.
    english(client).force_login(owner)
    item = client.get(reverse("records:item", args=[obs["id"]])).content.decode()
    assert "Added by Dr Claire Garonne, médecin généraliste" in item
    timeline = client.get(reverse("records:timeline")).content.decode()
    assert "142/88" in timeline and "Dr Claire Garonne" in timeline
    history = client.get(reverse("coffre:history")).content.decode()
    said = " ".join(history.split())
    assert (
        "added 1 result or measurement." in said or "added your results and measurements." in said
    )


def test_the_gp_sees_the_add_link_only_with_a_write_grant(client):
    _owner, pid, gp = shared_in_writing()
    english(client).force_login(gp)
    page = client.get(reverse("records:pro_record", args=[pid])).content.decode()
    assert url(pid) in page and "Add to the record" in page
    index = client.get(url(pid)).content.decode()
    assert url(pid, "tension") in index and url(pid, "poids") in index
    # Blood sugar is a lab result, vaccines and allergies other kinds: not offered.
    for kind in ("glycemie", "vaccin", "allergie", "consultation"):
        assert url(pid, kind) not in index, kind


def test_bad_values_are_refused_and_nothing_is_saved(client):
    owner, pid, gp = shared_in_writing()
    english(client).force_login(gp)
    response = _add(client, pid, systolic="82", diastolic="128")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ResourceVersion.objects.filter(patient_id=pid, resource_type="Observation").exists()
    assert not Message.objects.filter(user=owner, event="record_added").exists()
