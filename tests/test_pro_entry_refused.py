"""A practitioner adds nothing without a live write grant covering the kind of item: read
only, another kind, withdrawn, expired or no grant at all — and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnet.access import grants
from carnet.access.models import AuditEntry, Grant
from carnet.access.services import Actor, NotFound
from carnet.notify.models import Message
from carnet.records import entries, forms
from carnet.records.models import ResourceVersion

from .people import english, pro
from .pro_entry import shared_in_writing, url

BLOOD_PRESSURE = {"systolic": "142", "diastolic": "88", "when": "2025-02-03T09:15"}
ALLERGY = {"substance": "764146007", "kind": "allergy"}


def _nothing_written(owner, pid):
    assert (
        not ResourceVersion.objects.filter(patient_id=pid).exclude(resource_type="Patient").exists()
    )
    assert not Message.objects.filter(user=owner, event="record_added").exists()


def test_a_read_only_grant_offers_no_link_and_refuses_with_what_to_do(client):
    owner, pid, gp = shared_in_writing(mode="read")
    english(client).force_login(gp)
    record = client.get(reverse("records:pro_record", args=[pid])).content.decode()
    assert url(pid) not in record
    for page in (url(pid), url(pid, "tension")):
        response = client.get(page)
        assert response.status_code == 403
        html = response.content.decode()
        assert "for reading only" in html and "Read, and add to my record" in html
    assert client.post(url(pid, "tension"), BLOOD_PRESSURE).status_code == 403
    _nothing_written(owner, pid)


def test_a_kind_outside_the_grant_is_refused_and_says_what_is_allowed(client):
    owner, pid, gp = shared_in_writing(categories=["measurements"])
    english(client).force_login(gp)
    response = client.post(url(pid, "allergie"), ALLERGY)
    assert response.status_code == 403
    html = response.content.decode()
    assert "does not let you add health problems and allergies" in html
    assert "measurements (weight, blood pressure, activity…)" in html
    assert url(pid) in html  # see what you can add
    # Blood sugar is a lab result: not covered by "measurements" either.
    assert client.get(url(pid, "glycemie")).status_code == 403
    _nothing_written(owner, pid)


@pytest.mark.parametrize("how", ["withdrawn", "expired"])
def test_after_the_grant_ends_the_record_is_not_found(client, how):
    owner, pid, gp = shared_in_writing()
    english(client).force_login(gp)
    assert client.get(url(pid, "tension")).status_code == 200  # the form was open…
    grant = Grant.objects.get(patient_id=pid, grantee_id=gp.pk)
    if how == "withdrawn":
        assert grants.revoke(Actor.of_user(owner), pid, grant.pk)
    else:
        Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # …and is posted after the person took access back: nothing is saved.
    assert client.post(url(pid, "tension"), BLOOD_PRESSURE).status_code == 404
    assert client.get(url(pid)).status_code == 404
    _nothing_written(owner, pid)


def test_a_practitioner_without_any_grant_and_a_citizen_get_not_found(client):
    owner, pid, _gp = shared_in_writing()
    stranger = pro("Dr Paul Jolimont", "ophtalmologiste", "Clinique")
    english(client).force_login(stranger)
    assert client.get(url(pid)).status_code == 404
    assert client.post(url(pid, "tension"), BLOOD_PRESSURE).status_code == 404
    other = english(Client())
    other.force_login(owner)  # even the person themself: this is the practitioners' page
    assert other.get(url(pid)).status_code == 404
    _nothing_written(owner, pid)


@pytest.mark.parametrize("kind", ["contact", "traitement", "directives", "antecedent", "nope"])
def test_kinds_a_practitioner_does_not_add_here_are_not_found(client, kind):
    owner, pid, gp = shared_in_writing(categories=["problems", "treatments", "documents"])
    english(client).force_login(gp)
    assert client.get(url(pid, kind)).status_code == 404
    _nothing_written(owner, pid)


def test_the_service_refuses_and_audits_the_refusal_whatever_the_page_says():
    owner, pid, gp = shared_in_writing(mode="read")
    form = forms.MeasurementForm(forms.MEASURES["tension"], BLOOD_PRESSURE, for_practitioner=True)
    assert form.is_valid()
    with pytest.raises(NotFound):
        entries.add(Actor.of_user(gp), pid, "tension", form, author=entries.practitioner_author(gp))
    assert AuditEntry.objects.filter(
        patient_id=pid, actor_id=gp.pk, action="create", decision="deny"
    ).exists()
    _nothing_written(owner, pid)
