"""Groups are read by their signed-in members only: a non-member gets 404 for every page of
the group; pages are not indexable (meta robots and X-Robots-Tag); no record data in a post."""

from django.urls import reverse

from carnet.community import services as community

from .community import GROUP, member, pregnancy_group, thread_url
from .people import citizen, english, make_people


def test_a_non_member_reads_nothing(client):
    g = pregnancy_group()
    post = community.start_thread(member(g.lea), "Nausées", "Des idées ?")
    english(client).force_login(citizen("Paul Tiers"))
    for url in (
        reverse("community:group", args=[GROUP]),
        thread_url(post),
        reverse("community:report", args=[GROUP, post.pk]),
        reverse("community:notices", args=[GROUP]),
        reverse("community:moderation", args=[GROUP]),
        reverse("community:new_thread", args=[GROUP]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Nausées" not in response.content.decode()
    assert client.post(reverse("community:thank", args=[GROUP, post.pk])).status_code == 404


def test_pages_are_not_indexable(client):
    g = pregnancy_group()
    english(client).force_login(g.lea)
    response = client.get(reverse("community:group", args=[GROUP]))
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_no_record_data_flows_into_a_post(client):
    people = make_people()  # Alice's record holds « Secretcondition », « Secretmedicine »
    community.join(people.alice, GROUP, "Pivoine")
    english(client).force_login(people.alice)
    form = client.get(reverse("community:new_thread", args=[GROUP])).content.decode()
    assert "Secret" not in form
    post = community.start_thread(member(people.alice), "Question", "Bonjour")
    assert "Secret" not in client.get(thread_url(post)).content.decode()
