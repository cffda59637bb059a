"""Joining a group under a pseudonym: never one's name, unique in the group; the members see
only the pseudonym; a researcher (and any role but a citizen's) cannot join."""

import pytest
from django.urls import reverse

from carnet.community import services as community
from carnet.community.models import Membership

from .community import GROUP
from .people import citizen, english, researcher


def test_a_citizen_joins_under_a_pseudonym(client):
    lea = citizen("Léa Dubois")
    english(client).force_login(lea)
    page = client.get(reverse("community:index")).content.decode()
    assert "Pregnancy" in page and "Join this group" in page
    response = client.post(reverse("community:join", args=[GROUP]), {"pseudonym": "Lune"})
    assert response.status_code == 302
    m = Membership.objects.get(user=lea)
    assert (m.pseudonym, m.role, m.group.slug) == ("Lune", "member", GROUP)
    html = client.get(reverse("community:group", args=[GROUP])).content.decode()
    assert "You write as « Lune »" in html


@pytest.mark.parametrize("pseudonym", ["Léa", "lea dubois", "Dubois75", "x", "<b>hi</b>"])
def test_a_pseudonym_that_is_a_name_or_malformed_is_refused(client, pseudonym):
    lea = citizen("Léa Dubois", email="lea.dubois@example.org")
    english(client).force_login(lea)
    response = client.post(reverse("community:join", args=[GROUP]), {"pseudonym": pseudonym})
    assert response.status_code == 400
    assert "pseudonym" in response.content.decode()
    assert not Membership.objects.filter(user=lea).exists()


def test_a_pseudonym_is_unique_in_a_group():
    community.join(citizen("Anne Petit"), GROUP, "Lune")
    with pytest.raises(community.Refused) as refused:
        community.join(citizen("Léa Dubois"), GROUP, "lune")
    assert refused.value.reason == "taken"
    community.join(citizen("Léa Dubois"), "asthme", "Lune")  # another group: free


def test_a_researcher_cannot_join(client):
    rosa = researcher()
    english(client).force_login(rosa)
    assert client.get(reverse("community:join", args=[GROUP])).status_code == 404
    client.post(reverse("community:join", args=[GROUP]), {"pseudonym": "Curieuse"})
    assert not Membership.objects.filter(user=rosa).exists()


def test_a_stranger_signed_out_is_sent_to_sign_in(client):
    response = client.get(reverse("community:index"))
    assert response.status_code == 302 and "login" in response["Location"]
