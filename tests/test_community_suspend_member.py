"""A moderator warns, then suspends a member: the member reads why, and until when; they can
read but not write. Only a verified moderator of that group can."""

import pytest
from django.urls import reverse

from carnet.community import services as community
from carnet.community.models import Post

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english, practitioner


def test_warn_then_suspend(client):
    g = pregnancy_group()
    post = community.start_thread(member(g.other), "Pub", "Achetez mes tisanes miracles")
    english(client).force_login(g.midwife)
    url = reverse("community:moderate_post", args=[GROUP, post.pk])
    client.post(url, {"action": "warn", "warn-reason": "Pas de vente ici"})
    client.post(url, {"action": "suspend", "suspend-days": "7", "suspend-reason": "Vente"})
    m = member(g.other)
    assert m.suspended_until is not None
    with pytest.raises(community.Refused) as refused:
        community.reply(m, post.thread_id, "Encore une offre")
    assert refused.value.reason == "suspended"

    english(client).force_login(g.other)
    notices = client.get(reverse("community:notices", args=[GROUP])).content.decode()
    assert "Warning" in notices and "Pas de vente ici" in notices
    assert "Suspension" in notices and "Suspended until" in notices
    response = client.post(thread_url(post), {"body": "Encore une offre"})
    assert "suspended you" in response.content.decode()
    assert Post.objects.filter(author=m).count() == 1


def test_a_practitioner_who_is_not_a_moderator_of_the_group_cannot():
    g = pregnancy_group()
    other_group_pro = practitioner("Paul Léger")
    mod = community.appoint_moderator(other_group_pro, "asthme")
    with pytest.raises(community.NotFound):
        community.suspend(mod, g.other_m.pk, 7, "Vente")
    with pytest.raises(community.Refused):
        community.suspend(member(g.midwife), g.other_m.pk, 3, "Vente")  # 3 days: not a choice
