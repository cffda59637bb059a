"""A person with no email and no phone gets a Carnet at the desk: the advisor types their
name and birth date with them and prints a sign-in letter in the person's language (their
identifier, a first password to change at first sign-in, recovery codes); no email or
phone is needed, and nothing is ever sent to the identifier."""

from __future__ import annotations

import re

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client
from django.urls import reverse

from carnet.accounts.models import User
from carnet.helppoint import desk_accounts
from carnet.helppoint.models import DeskAccount

from .helppoint import desk_advisor
from .people import english

FORM = {"name": "Marcel Dupuy", "birth_date": "1941-02-03", "language": "en"}


def _letter(client) -> tuple[str, str, list[str], str]:
    client.force_login(desk_advisor())
    answer = client.post(reverse("helppoint:account_new"), FORM)
    assert answer.status_code == 200
    html = answer.content.decode()
    identifier = re.search(r'id="letter-identifier">([^<]+)<', html).group(1)
    password = re.search(r'id="letter-password">([^<]+)<', html).group(1)
    codes = re.findall(r"<li><bdi>([0-9a-f]{8})</bdi></li>", html)
    return identifier, password, codes, html


def test_the_advisor_makes_the_account_and_prints_the_letter(client):
    identifier, password, codes, html = _letter(client)
    assert identifier.startswith("marcel.dupuy.") and identifier.endswith("@guichet.invalid")
    assert (
        'lang="en"' in html and "Your Carnet sign-in letter" in html
    )  # his language, not the desk's
    user = User.objects.get(email=identifier)
    assert user.display_name == "Marcel Dupuy" and user.role == "citizen"
    assert user.check_password(password) and password not in str(user.password)
    assert DeskAccount.objects.get(user=user).must_change_password
    assert len(codes) >= 8 and Authenticator.objects.filter(user=user).count() == 1
    assert RecoveryCodes(Authenticator.objects.get(user=user)).validate_code(codes[0])
    assert not RecoveryCodes(Authenticator.objects.get(user=user)).validate_code(codes[0])
    assert mail.outbox == []  # no email to anyone


def test_the_person_changes_the_first_password_before_anything_else(client):
    identifier, password, _codes, _html = _letter(client)
    person = english(Client())
    signed_in = person.post(reverse("account_login"), {"login": identifier, "password": password})
    assert signed_in.status_code == 302
    home = person.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("account_change_password")
    new = "un jardin au bord de la Garonne"
    changed = person.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": new, "password2": new},
    )
    assert changed.status_code == 302
    assert person.get(reverse("home")).status_code == 200
    assert not DeskAccount.objects.get(user__email=identifier).must_change_password


def test_a_missing_name_or_birth_date_is_told(client):
    english(client)
    client.force_login(desk_advisor())
    answer = client.post(reverse("helppoint:account_new"), {"language": "fr"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Write the person&#x27;s first name and surname." in html
    assert "Write the date of birth." in html
    assert not User.objects.filter(email__endswith="@" + desk_accounts.DOMAIN).exists()


def test_only_an_advisor_of_a_help_point_makes_desk_accounts(client):
    from .people import citizen

    client.force_login(citizen())
    assert client.post(reverse("helppoint:account_new"), FORM).status_code == 404


def test_a_forgotten_password_is_given_anew_with_a_recovery_code_of_the_letter(client):
    identifier, password, codes, _html = _letter(client)  # the same advisor, signed in
    wrong = client.post(
        reverse("helppoint:account_recover"), {"identifier": identifier, "code": "00000000"}
    )
    assert wrong.status_code == 400
    again = client.post(
        reverse("helppoint:account_recover"), {"identifier": identifier, "code": codes[1]}
    )
    assert again.status_code == 200
    new = re.search(r'id="new-password">([^<]+)<', again.content.decode()).group(1)
    user = User.objects.get(email=identifier)
    assert user.check_password(new) and not user.check_password(password)
    assert DeskAccount.objects.get(user=user).must_change_password
    reused = client.post(
        reverse("helppoint:account_recover"), {"identifier": identifier, "code": codes[1]}
    )
    assert reused.status_code == 400  # each code works once
