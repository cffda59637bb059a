"""Hostile HTML in a title, a post, a pseudonym or a reason is shown as text, never run; no
attachments (the form says so, and has no file field)."""

from django.urls import reverse

from carnet.community import services as community

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_hostile_html_is_escaped(client):
    g = pregnancy_group()
    post = community.start_thread(member(g.lea), HOSTILE, HOSTILE)
    community.hide(member(g.midwife), post.pk, HOSTILE)
    english(client).force_login(g.lea)
    for url in (
        thread_url(post),
        reverse("community:group", args=[GROUP]),
        reverse("community:notices", args=[GROUP]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_no_attachments(client):
    g = pregnancy_group()
    english(client).force_login(g.lea)
    html = client.get(reverse("community:new_thread", args=[GROUP])).content.decode()
    assert 'type="file"' not in html and "No attachments" in html
    assert 'enctype="multipart/form-data"' not in html
