"""Share with a practitioner for a month: find them, choose what, and they see only that."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from carnet.access.models import Grant
from carnet.access.services import Actor

from .access_records import can_read, record_with_items
from .people import citizen, confirmed, english, pid_of, pro, totp_code, with_totp

SCOPE = {
    "categories": ["measurements", "results"],
    "max_level": "N",
    "mode": "read",
    "duration": "month",
}


def test_it_finds_a_practitioner_by_rpps_or_name(client):
    physio = pro()
    pro("Claire Garonne", "médecin généraliste")
    english(client).force_login(citizen())
    by_rpps = client.get(reverse("coffre:sharing_practitioners"), {"q": physio.rpps})
    assert "Julien Carmes" in by_rpps.content.decode()
    assert "Claire Garonne" not in by_rpps.content.decode()
    by_name = client.get(reverse("coffre:sharing_practitioners"), {"q": "carmes"})
    assert reverse("coffre:sharing_share", args=[physio.pk]) in by_name.content.decode()
    too_short = client.get(reverse("coffre:sharing_practitioners"), {"q": "ca"})
    assert too_short.status_code == 400
    assert "Type at least 3 letters" in too_short.content.decode()


def test_it_shares_for_one_month_and_the_practitioner_sees_only_that(client):
    owner, pid, made = record_with_items(citizen())
    physio = pro()
    confirmed(english(client), owner)
    url = reverse("coffre:sharing_share", args=[physio.pk])
    assert "For one month" in client.get(url).content.decode()
    before = timezone.now()
    response = client.post(url, SCOPE)
    assert response.status_code == 302 and response["Location"] == reverse("coffre:sharing")
    grant = Grant.objects.get(patient_id=pid, grantee_id=physio.pk)
    assert before + timedelta(days=30) <= grant.expires_at <= timezone.now() + timedelta(days=30)
    them = Actor.of_user(physio)
    assert can_read(them, made["knee"]) and can_read(them, made["glucose"])
    assert not can_read(them, made["depression"])  # a health problem, and sensitive
    assert not can_read(them, made["hiv_test"])  # a result, but sensitive
    page = client.get(reverse("coffre:sharing")).content.decode()
    assert "Julien Carmes" in page and "Until" in page


def test_bad_choices_say_what_to_do_and_change_nothing(client):
    owner = citizen()
    physio = pro()
    confirmed(english(client), owner)
    url = reverse("coffre:sharing_share", args=[physio.pk])
    response = client.post(url, {**SCOPE, "categories": []})
    assert response.status_code == 400
    assert "Tick at least one kind of item." in response.content.decode()
    response = client.post(url, {**SCOPE, "duration": "forever"})
    assert response.status_code == 400
    assert not Grant.objects.filter(patient_id=pid_of(owner)).exists()


def test_nobody_can_share_with_an_account_that_is_not_a_practitioner(client):
    owner, other = citizen(), citizen("Someone Else")
    english(client).force_login(owner)
    response = client.post(reverse("coffre:sharing_share", args=[other.pk]), SCOPE)
    assert response.status_code == 404
    assert not Grant.objects.exists()


def test_a_citizen_with_two_factor_authentication_confirms_first(client):
    owner = citizen()
    with_totp(owner)
    physio = pro()
    english(client).force_login(owner)
    url = reverse("coffre:sharing_share", args=[physio.pk])
    response = client.post(url, SCOPE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not Grant.objects.exists()
    # The password alone does not do for a person with a second factor.
    client.post(reverse("account_reauthenticate"), {"password": "a long enough passphrase"})
    again = client.post(url, SCOPE)
    assert again["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not Grant.objects.exists()
    # After the code of the authenticator app, the suspended request goes through.
    done = client.post(again["Location"], {"code": totp_code()}, follow=True)
    assert done.status_code == 200
    assert Grant.objects.filter(patient_id=pid_of(owner), grantee_id=physio.pk).exists()


def test_naming_the_medecin_traitant(client):
    owner, pid, made = record_with_items(citizen())
    gp = pro("Claire Garonne", "médecin généraliste")
    confirmed(english(client), owner)
    response = client.post(reverse("coffre:sharing_referent", args=[gp.pk]))
    assert response.status_code == 302
    assert Grant.objects.get(patient_id=pid, revoked_at__isnull=True).kind == "referent"
    assert can_read(Actor.of_user(gp), made["depression"])
