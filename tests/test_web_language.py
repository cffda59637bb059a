"""Languages: French by default, the browser's for a visitor, remembered from the profile."""

import pytest
from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.accounts.models import User

from . import helpers


@pytest.fixture
def citizen(client):
    user = helpers.citizen("alice@example.org")
    client.force_login(user)
    return user


def test_it_speaks_french_by_default(client, citizen):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Mon dossier" in html and "Aller au contenu principal" in html
    # The switch offers every language, each named in its own script, with its lang.
    for code, name in [
        ("fr", "Français"),
        ("en", "English"),
        ("es", "Español"),
        ("ar", "العربية"),
        ("pt", "Português"),
        ("tr", "Türkçe"),
    ]:
        assert f'name="language" value="{code}" lang="{code}"' in html
        assert f">{name}</button>" in html


def test_it_speaks_french_to_signed_out_visitors(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Connexion" in html
    assert "Carnet : votre dossier de santé vous appartient." in html


def test_it_switches_to_english_with_the_switcher(client, citizen):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "My record" in html and "Your record is empty for now." in html
    assert ">Français<" in html


def test_it_follows_the_browsers_language(client, citizen):
    html = client.get(reverse("accounts:account"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My account" in html and "Keys for apps" in html


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "words"),
    [
        ("ar,fr;q=0.5", "ar", "rtl", "العربية"),
        ("es-ES,es;q=0.9,en;q=0.5", "es", "ltr", "Español"),
        ("pt-BR", "pt", "ltr", "Português"),
        ("tr-TR,tr;q=0.9", "tr", "ltr", "Türkçe"),
        ("de-DE,de;q=0.9", "fr", "ltr", "Français"),  # not spoken here: French
    ],
)
def test_a_visitor_gets_the_browsers_language(client, accept, lang, direction, words):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    # The switch's button shows the language in use, named in its own script.
    assert f'<span lang="{lang}">{words}</span></summary>' in html


def test_a_signed_in_persons_choice_wins_over_the_browser(client, citizen):
    citizen.language = "tr"
    citizen.save()
    client.logout()
    client.post(
        reverse("account_login"),
        {"login": citizen.email, "password": helpers.PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="tr" dir="ltr">' in html


def test_it_saves_the_language_in_the_profile(client, citizen):
    response = client.post(reverse("accounts:profile"), {"display_name": "Alice", "language": "en"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en" and citizen.display_name == "Alice"
    html = client.get(reverse("accounts:account")).content.decode()
    assert "Your profile is saved." in html
    assert "Hello, <bdi>Alice</bdi>." in client.get(reverse("home")).content.decode()


def test_it_refuses_an_unknown_language(client, citizen):
    response = client.post(reverse("accounts:profile"), {"display_name": "", "language": "xx"})
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert citizen.language == "fr"


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_it_shows_allauth_pages_inside_carnet_in_english(client, name):
    client.cookies["django_language"] = "en"
    html = client.get(reverse(name)).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Skip to main content" in html and "carnet.css" in html


def test_the_switcher_remembers_the_choice_in_the_profile(client, citizen):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    citizen.refresh_from_db()
    assert citizen.language == "en"


def test_signing_in_applies_the_language_of_the_profile(client):
    user = accounts.create_user("bob@example.org", "correct horse battery staple")
    user.language = "en"
    user.save()
    response = client.post(
        reverse("account_login"),
        {"login": "bob@example.org", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.django_db(databases=["default", "keystore"])
def test_signing_up_keeps_the_language_of_the_pages(client):
    password = "Tilleul-Garonne-Brique-31"
    response = client.post(
        reverse("account_signup"),
        {"email": "nour@example.org", "password1": password, "password2": password},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 302
    assert User.objects.get(email="nour@example.org").language == "ar"


def test_an_error_page_speaks_the_visitors_language(client):
    response = client.get("/nulle-part/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.parametrize(
    ("lang", "password"),
    [("pt", "Palavra-passe"), ("es", "Contraseña"), ("ar", "كلمة المرور"), ("tr", "Parola")],
)
def test_the_sign_in_form_speaks_the_visitors_language(client, lang, password):
    """allauth's own words too: Portuguese from its pt_PT catalogue (it ships no plain pt)."""
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<label for="id_password">{password}' in html
