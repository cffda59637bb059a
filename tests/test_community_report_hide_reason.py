"""Anyone reports a message; a moderator hides it with a reason; the author reads the reason
in their moderation notices (and is told, without detail); the others no longer see it."""

from django.urls import reverse

from carnet.community import services as community
from carnet.community.models import ModerationAct, Post, Report
from carnet.notify.models import Message

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english

REASON = "Conseil de traitement dangereux : parlez-en à votre sage-femme."


def test_report_then_hide_and_the_author_sees_why(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Des idées ?")
    bad = community.reply(member(g.other), question.thread_id, "Prends double dose de X.")
    english(client).force_login(g.lea)
    client.post(reverse("community:report", args=[GROUP, bad.pk]), {"reason": "Dangereux"})
    assert Report.objects.filter(post=bad, resolved=False).exists()

    english(client).force_login(g.midwife)
    assert "Dangereux" in client.get(reverse("community:moderation", args=[GROUP])).content.decode()
    client.post(
        reverse("community:moderate_post", args=[GROUP, bad.pk]),
        {"action": "hide", "hide-reason": REASON},
    )
    bad.refresh_from_db()
    assert bad.status == Post.HIDDEN and not Report.objects.filter(resolved=False).exists()
    assert ModerationAct.objects.get(post=bad).reason == REASON

    english(client).force_login(g.lea)
    assert "double dose" not in client.get(thread_url(bad)).content.decode()

    english(client).force_login(g.other)
    notices = client.get(reverse("community:notices", args=[GROUP])).content.decode()
    assert "Message hidden" in notices and "parlez-en à votre sage-femme" in notices
    own = client.get(thread_url(bad)).content.decode()
    assert "Hidden by a moderator" in own and "parlez-en" in own
    assert Message.objects.filter(user=g.other, event="community_moderation").exists()


def test_a_hide_needs_a_reason(client):
    g = pregnancy_group()
    post = community.start_thread(member(g.lea), "Nausées", "Des idées ?")
    english(client).force_login(g.midwife)
    response = client.post(
        reverse("community:moderate_post", args=[GROUP, post.pk]),
        {"action": "hide", "hide-reason": "  "},
    )
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.status == Post.VISIBLE


def test_a_hidden_question_takes_its_thread_away(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.other), "Tisanes miracles", "Achetez-les")
    community.reply(member(g.lea), question.thread_id, "Non merci.")
    community.hide(member(g.midwife), question.pk, "Vente")
    english(client).force_login(g.lea)
    assert "Tisanes" not in client.get(reverse("community:group", args=[GROUP])).content.decode()
    assert client.get(thread_url(question)).status_code == 404
    english(client).force_login(g.other)
    assert "Tisanes" in client.get(reverse("community:group", args=[GROUP])).content.decode()
