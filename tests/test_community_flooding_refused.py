"""Flooding: a few posts a minute and a day per person, every group together; the next one is
refused with a plain message and nothing is written."""

from datetime import timedelta

import pytest

from carnet.community import services as community
from carnet.community.models import Post

from .community import member, pregnancy_group, thread_url
from .people import english


def test_too_many_posts_in_a_minute_are_refused(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Bonjour")
    for n in range(community.PER_MINUTE - 1):
        community.reply(member(g.lea), question.thread_id, f"Précision {n}")
    english(client).force_login(g.lea)
    response = client.post(thread_url(question), {"body": "Encore une"})
    assert "several messages in a minute" in response.content.decode()
    assert Post.objects.filter(author=member(g.lea)).count() == community.PER_MINUTE


def test_too_many_posts_in_a_day_are_refused():
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Bonjour")
    earlier = question.created_at - timedelta(hours=2)
    Post.objects.bulk_create(
        Post(thread_id=question.thread_id, author=member(g.lea), body="x", created_at=earlier)
        for _ in range(community.PER_DAY)
    )
    with pytest.raises(community.Refused) as refused:
        community.reply(member(g.lea), question.thread_id, "Encore")
    assert refused.value.reason == "day"
