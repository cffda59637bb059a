"""A reply tells the author of the question through their notification channels, without any
detail (« A reply to your message in a group »); « merci » once per message; the midwife's
answer is marked « verified health professional »."""

import pytest
from django.urls import reverse

from carnet.community import services as community
from carnet.community.models import Thanks
from carnet.notify import events
from carnet.notify.models import Message

from .community import GROUP, member, pregnancy_group, thread_url
from .people import english


def test_a_reply_notifies_the_author_with_no_detail(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Nausées le soir, normal ?")
    english(client).force_login(g.midwife)
    client.post(thread_url(question), {"body": "Oui, c'est fréquent au premier trimestre."})
    [note] = Message.objects.filter(user=g.lea, event="community_reply", channel="in_app")
    line = events.render_part("community_reply", "line", {}, "fr")
    assert "Nausées" not in line and "Camille" not in line
    english(client).force_login(g.lea)
    html = client.get(thread_url(question)).content.decode()
    assert "premier trimestre" in html and "verified health professional" in html
    assert "sage-femme" in html and note.params == {}


def test_no_notification_for_ones_own_reply():
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Bonjour")
    community.reply(member(g.lea), question.thread_id, "Je précise : le soir.")
    assert not Message.objects.filter(user=g.lea, event="community_reply").exists()


def test_merci_once_and_the_author_is_told(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Bonjour")
    answer = community.reply(member(g.other), question.thread_id, "Le gingembre m'a aidée.")
    english(client).force_login(g.lea)
    url = reverse("community:thank", args=[GROUP, answer.pk])
    client.post(url, {"thread": answer.thread_id})
    client.post(url, {"thread": answer.thread_id})
    assert Thanks.objects.filter(post=answer).count() == 1
    assert (
        Message.objects.filter(user=g.other, event="community_thanks", channel="in_app").count()
        == 1
    )
    assert "Thank you (1)" in client.get(thread_url(answer)).content.decode()
    with pytest.raises(community.Refused):
        community.thank(member(g.lea), question.pk)
