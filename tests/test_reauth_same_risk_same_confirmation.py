"""« Pour votre sécurité, confirmez que c'est bien vous »: the confirmation speaks plainly, and
the same risk asks the same confirmation: giving a relative access to sensitive information
asks it, as un-hiding an item does; a plain access for a relative does not."""

from django.urls import reverse

from carnet.access.models import Proxy

from .people import citizen, confirmed, english, pid_of


def _give(client, sophie, sensitive: bool):
    data = {"email": sophie.email, "permissions": ["read"], "basis": "choice", "until": ""}
    if sensitive:
        data["sensitive"] = "on"
    return client.post(reverse("coffre:proxies"), data)


def test_sensitive_information_for_a_relative_asks_who_you_are_first(client):
    henri, sophie = citizen("Henri Marty", language="fr"), citizen("Sophie Esquirol")
    client.force_login(henri)
    asked = _give(client, sophie, sensitive=True)
    assert asked.status_code == 302 and "/reauthenticate/" in asked["Location"]
    assert not Proxy.objects.filter(patient_id=pid_of(henri)).exists()
    page = client.get(asked["Location"]).content.decode()
    assert "Pour votre sécurité, confirmez que c’est bien vous" in page
    assert "un écran que vous avez laissé ouvert" in page
    confirmed(client, henri)
    done = _give(client, sophie, sensitive=True)
    assert done.status_code == 302 and done["Location"] == reverse("coffre:proxies")
    assert Proxy.objects.get(patient_id=pid_of(henri)).max_level == "R"


def test_a_plain_access_for_a_relative_does_not_ask(client):
    henri, sophie = citizen("Henri Marty"), citizen("Sophie Esquirol")
    english(client).force_login(henri)
    done = _give(client, sophie, sensitive=False)
    assert done.status_code == 302 and done["Location"] == reverse("coffre:proxies")
    assert Proxy.objects.get(patient_id=pid_of(henri)).max_level == "N"


def test_the_confirmation_page_says_why_in_plain_words(client):
    henri = citizen("Henri Marty")
    english(client).force_login(henri)
    response = client.get(reverse("account_reauthenticate"))
    html = response.content.decode()
    assert "For your security, confirm that it is you" in html
    assert "Confirm Access" not in html
