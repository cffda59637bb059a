"""Before a post that looks like it holds a name, a phone number, an address, an email or a
social security number (NIR), a warning and a confirm step (plain form posts, no script)."""

import pytest

from carnet.community import checks
from carnet.community import services as community
from carnet.community.models import Post

from .community import member, pregnancy_group, thread_url
from .people import english


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Appelez-moi au 06 12 34 56 78", "phone"),
        ("mon numéro +33 6 12 34 56 78", "phone"),
        ("écrivez à lea.d@example.org", "email"),
        ("j'habite 12 rue des Lilas", "address"),
        ("vers 31000 Toulouse", "address"),
        ("ma sécu 2 85 07 31 555 123 45", "nir"),
        ("le Dr Martin m'a dit", "name"),
        ("je m'appelle Sophie", "name"),
    ],
)
def test_personal_details_are_recognised(text, kind):
    assert kind in checks.personal_details(text)


def test_ordinary_text_brings_no_warning():
    assert checks.personal_details("J'ai des nausées le soir depuis 2 semaines, 3 fois") == []


def test_a_warning_then_posting_as_it_is(client):
    g = pregnancy_group()
    question = community.start_thread(member(g.lea), "Nausées", "Bonjour")
    english(client).force_login(g.other)
    text = "Appelez-moi au 06 12 34 56 78"
    first = client.post(thread_url(question), {"body": text})
    html = first.content.decode()
    assert first.status_code == 200 and "a phone number" in html and "Post it as it is" in html
    assert text in html  # the text stays in the form, to change it
    assert text not in _bodies()
    client.post(thread_url(question), {"body": text, "confirm": "1"})
    assert text in _bodies()


def _bodies() -> list[str]:
    return [p.body for p in Post.objects.select_related("thread__group")]


def test_ones_own_name_is_a_warning():
    g = pregnancy_group()
    with pytest.raises(community.NeedsConfirmation) as ask:
        community.start_thread(member(g.lea), "Bonjour", "Ici Léa, 28 ans")
    assert ask.value.kinds == ["name"]
