"""Properties of Entraide: a pseudonym never reveals an account to a non-moderator (whatever
the names and pseudonyms, no page another member reads holds the person's name or email);
a person who is not a member of a group reads nothing of it (404 on every page)."""

from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from carnet.community import groups
from carnet.community import services as community

from .community import GROUP, member, pregnancy_group, thread_url
from .fuzzing import examples
from .people import advisor, citizen, english, practitioner, researcher

NAMES = st.from_regex(r"Qz[a-z]{3,8}", fullmatch=True)
PSEUDONYMS = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{1,12}[a-z0-9]", fullmatch=True)
SETTINGS = settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(first=NAMES, last=NAMES, pseudonym=PSEUDONYMS, thanks=st.booleans())
def test_a_pseudonym_never_reveals_an_account(first, last, pseudonym, thanks):
    with transaction.atomic():
        g = pregnancy_group()
        person = citizen(f"{first} {last}", email=f"{first.lower()}.{last.lower()}@example.org")
        try:
            m = community.join(person, GROUP, pseudonym)
        except community.Refused:
            transaction.set_rollback(True)
            assume(False)
        m.approved_posts = community.HELD_POSTS
        m.save()
        post = community.start_thread(m, "Une question", "Bonjour à toutes")
        answer = community.reply(member(g.other), post.thread_id, "Bonjour !")
        if thanks:
            community.thank(m, answer.pk)
        community.report(member(g.other), post.pk, "À vérifier")
        client = english(Client())
        for viewer in (g.other, g.lea):
            client.force_login(viewer)
            for url in (
                reverse("community:index"),
                reverse("community:group", args=[GROUP]),
                thread_url(post),
                reverse("community:notices", args=[GROUP]),
            ):
                html = client.get(url).content.decode()
                for secret in (first, last, person.email, first.lower()):
                    assert secret not in html, (url, secret)
                assert m.pseudonym in html or url != thread_url(post)
        transaction.set_rollback(True)


VIEWERS = ("citizen", "member_elsewhere", "practitioner", "advisor", "researcher")
PAGES = ("group", "thread", "new_thread", "notices", "moderation", "report", "moderate_post")


def _viewer(kind, slug):
    if kind == "citizen":
        return citizen("Paul Tiers")
    if kind == "member_elsewhere":
        person = citizen("Paul Tiers")
        other = next(g.slug for g in groups.GROUPS if g.slug != slug)
        community.join(person, other, "Voisin")
        return person
    if kind == "practitioner":
        return practitioner("Hélène Garnier")
    if kind == "advisor":
        return advisor("Marc Rey")
    return researcher()


@SETTINGS
@given(
    slug=st.sampled_from([g.slug for g in groups.GROUPS]),
    kind=st.sampled_from(VIEWERS),
    page=st.sampled_from(PAGES),
)
def test_a_non_member_reads_nothing(slug, kind, page):
    with transaction.atomic():
        writer = citizen("Anne Écrit")
        m = community.join(writer, slug, "Plume")
        post = community.start_thread(m, "Titre caché", "Texte caché")
        viewer = _viewer(kind, slug)
        args = {
            "group": [slug],
            "new_thread": [slug],
            "notices": [slug],
            "moderation": [slug],
            "thread": [slug, post.thread_id],
            "report": [slug, post.pk],
            "moderate_post": [slug, post.pk],
        }[page]
        client = english(Client())
        client.force_login(viewer)
        response = client.get(reverse(f"community:{page}", args=args))
        assert response.status_code == 404
        assert "caché" not in response.content.decode()
        transaction.set_rollback(True)
