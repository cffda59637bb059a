"""A new member's first posts wait for a moderator: the others do not see them until a
verified professional lets them through; then they no longer wait."""

from django.urls import reverse

from carnet.community import services as community
from carnet.community.models import ModerationAct, Post
from carnet.notify.models import Message

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english


def test_a_first_question_waits_then_the_midwife_lets_it_through(client):
    g = pregnancy_group(seasoned=False)
    english(client).force_login(g.lea)
    response = client.post(
        reverse("community:new_thread", args=[GROUP]),
        {"title": "Nausées au 3e mois", "body": "Est-ce normal d'avoir des nausées le soir ?"},
    )
    post = Post.objects.get(author=g.lea_m)
    assert response.status_code == 302 and post.status == Post.HELD
    mine = client.get(thread_url(post)).content.decode()
    assert "Waiting for a moderator" in mine
    assert Message.objects.filter(user=g.midwife, event="community_waiting").exists()

    # Karima does not see it, not even its title.
    english(client).force_login(g.other)
    assert "Nausées" not in client.get(reverse("community:group", args=[GROUP])).content.decode()
    assert client.get(thread_url(post)).status_code == 404

    english(client).force_login(g.midwife)
    queue = client.get(reverse("community:moderation", args=[GROUP])).content.decode()
    assert "nausées le soir" in queue
    client.post(reverse("community:moderate_post", args=[GROUP, post.pk]), {"action": "approve"})
    post.refresh_from_db()
    assert post.status == Post.VISIBLE
    assert ModerationAct.objects.filter(post=post, kind="approve").exists()

    english(client).force_login(g.other)
    assert "nausées le soir" in client.get(thread_url(post)).content.decode()


def test_after_the_first_posts_a_member_posts_at_once():
    g = pregnancy_group(seasoned=False)
    mod = member(g.midwife)
    for n in range(community.HELD_POSTS):
        post = community.start_thread(member(g.lea), f"Question {n}", "Bonjour à toutes")
        assert post.status == Post.HELD
        community.approve(mod, post.pk)
    post = community.start_thread(member(g.lea), "Encore", "Bonjour à toutes")
    assert post.status == Post.VISIBLE


def test_a_member_cannot_approve(client):
    g = pregnancy_group(seasoned=False)
    post = community.start_thread(member(g.lea), "Question", "Bonjour")
    english(client).force_login(g.other)
    url = reverse("community:moderate_post", args=[GROUP, post.pk])
    assert client.post(url, {"action": "approve"}).status_code == 404
    assert client.get(reverse("community:moderation", args=[GROUP])).status_code == 404
    post.refresh_from_db()
    assert post.status == Post.HELD
