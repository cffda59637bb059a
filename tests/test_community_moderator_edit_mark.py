"""A moderator edits a message: everyone sees « Edited by a moderator », the author the reason."""

from django.urls import reverse

from carnet.community import services as community
from carnet.community.models import ModerationAct

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english


def test_an_edit_shows_a_mark_and_its_reason(client):
    g = pregnancy_group()
    post = community.start_thread(
        member(g.lea), "Sage-femme", "Mme Durand à Purpan est top", confirmed=True
    )
    english(client).force_login(g.midwife)
    client.post(
        reverse("community:moderate_post", args=[GROUP, post.pk]),
        {
            "action": "edit",
            "edit-body": "[nom retiré] à Purpan est top",
            "edit-reason": "Pas de nom",
        },
    )
    post.refresh_from_db()
    assert post.body == "[nom retiré] à Purpan est top" and post.edited_by_moderator
    assert ModerationAct.objects.get(post=post, kind="edit").reason == "Pas de nom"
    english(client).force_login(g.other)
    html = client.get(thread_url(post)).content.decode()
    assert "Edited by a moderator" in html and "Durand" not in html and "Pas de nom" not in html
    english(client).force_login(g.lea)
    html = client.get(thread_url(post)).content.decode()
    assert "Edited by a moderator" in html and "Pas de nom" in html
