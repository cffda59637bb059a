"""Someone else's question is not found: not by another citizen, not by a health
professional, and visitors are sent to sign in."""

from django.urls import reverse

from carnet.helpdesk import services as helpdesk
from carnet.helpdesk.models import HelpRequest

from .helpdesk import ask, thread_url
from .people import citizen, english, pro


def test_strangers_get_404_and_change_nothing(client):
    owner = citizen("Sophie Esquirol")
    req = ask(owner, "Mon père", "Il a 84 ans")
    for stranger in (citizen("Zoé Inconnue"), pro("Dr Autre")):
        english(client).force_login(stranger)
        assert client.get(thread_url(req)).status_code == 404
        assert client.post(thread_url(req), {"text": "Bonjour"}).status_code == 404
        assert client.post(reverse("helpdesk:close", args=[req.pk])).status_code == 404
        assert "Mon père" not in client.get(reverse("helpdesk:mine")).content.decode()
    row = HelpRequest.objects.get(pk=req.pk)
    assert row.status == "waiting" and row.lines.count() == 1
    assert len(helpdesk.open_thread(owner, req.pk).lines) == 1


def test_an_unknown_question_is_the_same_404(client):
    english(client).force_login(citizen())
    assert client.get(reverse("helpdesk:request", args=[999999])).status_code == 404


def test_visitors_are_sent_to_sign_in(client):
    req = ask(citizen())
    for url in (thread_url(req), reverse("helpdesk:mine"), reverse("helpdesk:advisor_inbox")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
