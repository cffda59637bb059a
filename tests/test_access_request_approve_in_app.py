"""Access on request, accepted in the app: the practitioner asks, the person is told, taps OK."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carnet.access import requests
from carnet.access.models import AccessRequest, Grant
from carnet.access.services import Actor
from carnet.notify import services as notify
from carnet.notify.models import Message, Notification

from .access_records import can_read, record_with_items
from .people import citizen, confirmed, english, pro

ASK = {
    "reason": "Rééducation du genou après entorse : je voudrais voir vos mesures.",
    "categories": ["measurements", "consultations"],
    "max_level": "N",
    "mode": "read",
    "duration": "month",
}


@pytest.fixture
def runner():
    owner, pid, made = record_with_items(citizen())
    notify.update_preferences(owner, sms=True, phone="+33612345678")
    return owner, pid, made


def ask(client, doctor, target, capture):
    english(client).force_login(doctor)
    with capture(execute=True):
        return client.post(reverse("coffre:pro_requests"), {**ASK, "target": target})


def test_the_person_is_told_in_the_app_by_email_and_by_sms(
    client, runner, django_capture_on_commit_callbacks
):
    owner, pid, _made = runner
    physio = pro()
    response = ask(client, physio, owner.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    req = AccessRequest.objects.get(practitioner_id=physio.pk)
    assert req.patient_id == pid and req.status == "pending" and len(req.reply_code) == 4
    assert ASK["reason"].encode() not in bytes(req.reason)  # encrypted
    sent = Message.objects.filter(user=owner, event="access_request")
    assert set(sent.values_list("channel", flat=True)) == {"in_app", "email", "sms"}
    assert {m.params["code"] for m in sent} == {req.reply_code}
    assert Notification.objects.filter(user=owner, event="access_request").exists()


def test_the_practitioner_learns_nothing_about_who_exists(
    client, runner, django_capture_on_commit_callbacks
):
    owner, _pid, _made = runner
    physio = pro()
    known = ask(client, physio, owner.email, django_capture_on_commit_callbacks)
    unknown = ask(client, physio, "nobody@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = client.get(reverse("coffre:pro_requests")).content.decode()
    assert page.count('data-state="waiting"') == 2
    assert "Antoine" not in page
    # Asking again while one waits tells nobody twice.
    ask(client, physio, owner.email, django_capture_on_commit_callbacks)
    assert Message.objects.filter(user=owner, event="access_request", channel="sms").count() == 1


def test_one_tap_accepts_what_was_asked_for_the_duration_asked(
    client, runner, django_capture_on_commit_callbacks
):
    owner, pid, made = runner
    physio = pro()
    ask(client, physio, owner.email, django_capture_on_commit_callbacks)
    req = AccessRequest.objects.get(practitioner_id=physio.pk)
    assert not can_read(Actor.of_user(physio), made["knee"])

    confirmed(english(client), owner)
    page = client.get(reverse("coffre:sharing")).content.decode()
    assert "Julien Carmes" in page and physio.rpps in page and ASK["reason"] in page
    assert f"OUI {req.reply_code}" in page
    before = timezone.now()
    response = client.post(reverse("coffre:request_approve", args=[req.pk]))
    assert response.status_code == 302
    grant = Grant.objects.get(patient_id=pid, grantee_id=physio.pk, revoked_at__isnull=True)
    assert before + timedelta(days=30) <= grant.expires_at <= timezone.now() + timedelta(days=30)
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"
    assert can_read(Actor.of_user(physio), made["knee"])
    assert not can_read(Actor.of_user(physio), made["depression"])

    client.force_login(physio)
    assert 'data-state="accepted"' in client.get(reverse("coffre:pro_requests")).content.decode()
    shared = client.get(reverse("coffre:pro_patients")).content.decode()
    assert "Antoine Roussel" in shared


def test_the_person_may_accept_less_than_asked(client, runner, django_capture_on_commit_callbacks):
    owner, pid, made = runner
    physio = pro()
    ask(client, physio, owner.email, django_capture_on_commit_callbacks)
    req = AccessRequest.objects.get(practitioner_id=physio.pk)
    confirmed(english(client), owner)
    detail = client.get(reverse("coffre:request_detail", args=[req.pk])).content.decode()
    assert "RPPS number" in detail and physio.rpps in detail
    response = client.post(
        reverse("coffre:request_approve", args=[req.pk]),
        {
            "categories": ["consultations"],
            "max_level": "N",
            "mode": "read",
            "duration": "consultation",
        },
    )
    assert response.status_code == 302
    grant = Grant.objects.get(patient_id=pid, grantee_id=physio.pk, revoked_at__isnull=True)
    assert grant.expires_at <= timezone.now() + timedelta(hours=24)
    assert not can_read(Actor.of_user(physio), made["knee"])  # measurements were not given


def test_a_share_code_works_like_an_address(client, runner, django_capture_on_commit_callbacks):
    owner, pid, _made = runner
    confirmed(english(client), owner)
    shown = client.post(reverse("coffre:sharing_code")).content.decode()
    code = shown.split('id="share-code">')[1].split("<")[0]
    assert len(code) == 9 and code[4] == "-"
    physio = pro()
    ask(client, physio, code.lower().replace("-", " "), django_capture_on_commit_callbacks)
    assert AccessRequest.objects.get(practitioner_id=physio.pk).patient_id == pid
    # A code that does not exist gets the same answer, and reaches nobody.
    other = pro("Dr Curieux")
    response = ask(client, other, "ABCD-EFGH", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert AccessRequest.objects.get(practitioner_id=other.pk).patient_id is None


def test_requests_without_a_reason_or_a_target_say_what_to_do(client):
    english(client).force_login(pro())
    response = client.post(reverse("coffre:pro_requests"), {**ASK, "reason": "", "target": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why you need access" in html
    response = client.post(reverse("coffre:pro_requests"), {**ASK, "target": "not a code"})
    assert "8-character share code" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_a_practitioner_cannot_send_requests_without_end(client, settings):
    doctor = pro()
    for i in range(requests.MAX_REQUESTS_PER_DAY):
        requests.ask(
            Actor.of_user(doctor), target=f"p{i}@example.org", reason="r", categories=["results"]
        )
    english(client).force_login(doctor)
    response = client.post(reverse("coffre:pro_requests"), {**ASK, "target": "last@example.org"})
    assert response.status_code == 400
    assert "many requests today" in response.content.decode()
