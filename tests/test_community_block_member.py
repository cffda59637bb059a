"""Blocking: the blocker no longer sees the blocked member's posts, and hears nothing from them
(no reply or « merci » notification). Moderators cannot be blocked."""

import pytest
from django.urls import reverse

from carnet.community import services as community
from carnet.notify.models import Message

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english


def test_a_blocked_member_cannot_reach_the_blocker(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Des idées ?")
    rude = community.reply(member(g.other), question.thread_id, "Question idiote.")
    english(client).force_login(g.lea)
    client.post(reverse("community:block", args=[GROUP, g.other_m.pk]))
    assert "Question idiote" not in client.get(thread_url(question)).content.decode()
    Message.objects.all().delete()
    community.reply(member(g.other), question.thread_id, "Encore moi.")
    assert not Message.objects.filter(user=g.lea).exists()
    with pytest.raises(community.NotFound):
        community.thank(member(g.lea), rude.pk)
    # The midwife still sees everything, and cannot be blocked.
    english(client).force_login(g.midwife)
    assert "Question idiote" in client.get(thread_url(question)).content.decode()
    with pytest.raises(community.Refused):
        community.block(member(g.lea), g.mod.pk)


def test_unblock_brings_the_posts_back(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Des idées ?")
    community.reply(member(g.other), question.thread_id, "Le gingembre.")
    community.block(member(g.lea), g.other_m.pk)
    english(client).force_login(g.lea)
    client.post(reverse("community:unblock", args=[GROUP]))
    assert "Le gingembre" in client.get(thread_url(question)).content.decode()
